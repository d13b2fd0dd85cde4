// The files `stride new` writes, compiled in from framework/cli/templates/.
#ifndef STRIDE_CLI_TEMPLATES_H_
#define STRIDE_CLI_TEMPLATES_H_

namespace stride::cli {

struct TemplateFile {
  // "<kind>/<file>.in", or "common/<file>.in" for every kind; NAME in a file
  // name stands for the plugin's name
  const char* path;
  // the text, in which {{name}}, {{Name}} and {{prefix}} stand for the plugin's
  // name, that name in CamelCase and the prefix of the stride SDK
  const char* text;
};

extern const TemplateFile kTemplateFiles[];
extern const int kNumTemplateFiles;

}  // namespace stride::cli

#endif  // STRIDE_CLI_TEMPLATES_H_
