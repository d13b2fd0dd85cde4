// One experiment document, validated: the step after [sweep] and [[variant]]
// have been expanded into plain documents.
#ifndef STRIDE_EXPERIMENT_DOCUMENT_H_
#define STRIDE_EXPERIMENT_DOCUMENT_H_

#include <string>

#include <toml++/toml.h>

#include "stride/experiment.h"

namespace stride {

// validates doc's tables against the framework's and the plugins' specs;
// [sweep] and [[variant]] must be gone already
Experiment ReadExperimentDocument(const toml::table& doc, const std::string& source,
                                  PluginRegistry& registry);

// letters, digits, '_', '-', '.': safe as one directory name
bool IsPlainName(const std::string& name);

}  // namespace stride

#endif  // STRIDE_EXPERIMENT_DOCUMENT_H_
