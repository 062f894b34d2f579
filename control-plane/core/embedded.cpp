#include "core/embedded.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace keyfleet::core {

std::string_view embedded(std::string_view path)
{
    for (auto const& file : embedded_files())
        if (file.path == path)
            return file.contents;
    throw std::out_of_range("no embedded file " + std::string(path));
}

std::vector<EmbeddedFile> embedded_under(std::string_view folder)
{
    std::vector<EmbeddedFile> found;
    for (auto const& file : embedded_files())
        if (file.path.size() > folder.size() && file.path.starts_with(folder) &&
            file.path[folder.size()] == '/')
            found.push_back(file);
    std::ranges::sort(found, {}, &EmbeddedFile::path);
    return found;
}

}  // namespace keyfleet::core
