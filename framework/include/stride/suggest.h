// Did-you-mean suggestions for misspelled names.
#ifndef STRIDE_SUGGEST_H_
#define STRIDE_SUGGEST_H_

#include <optional>
#include <string>
#include <vector>

namespace stride {

// the candidate closest to word by edit distance, if it is close enough to be a typo
std::optional<std::string> ClosestMatch(const std::string& word,
                                        const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or ""
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace stride

#endif  // STRIDE_SUGGEST_H_
