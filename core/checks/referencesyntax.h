// What containerd and distribution/reference accept as a platform and an image name, reduced
// to the yes/no and parts the FROM rules need (FromPlatformFlagConstDisallowed,
// InvalidDefaultArgInFrom).
#pragma once

#include <QString>

#include <optional>

namespace stagecraft::referencesyntax {

struct Platform
{
    QString os;
    QString arch;
    QString variant;
};

// containerd's platforms.Parse: os/arch[/variant], or a lone OS or architecture, with the
// architecture normalised (x86_64 → amd64). nullopt when the specifier would be rejected.
std::optional<Platform> parsePlatform(const QString &text);

// distribution/reference's ParseNormalizedNamed, as a yes/no: is `ref` a usable image name?
bool isValidImageReference(const QString &ref);

} // namespace stagecraft::referencesyntax
