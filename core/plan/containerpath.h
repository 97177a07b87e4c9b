// Paths inside a container as BuildKit computes them (Go's path.Clean and path.Join):
// `..` never climbs above `/`, unlike QDir::cleanPath, which keeps a leading `/..`.
#pragma once

#include <QString>
#include <QStringView>

namespace stagecraft {

class ContainerPath
{
public:
    // path.Clean: "/a/../../b/" → "/b", "" → ".", "a//b/." → "a/b".
    static QString clean(QStringView path);
    // `path` made absolute against `directory` (itself absolute), then cleaned.
    static QString resolve(QStringView directory, QStringView path);
};

} // namespace stagecraft
