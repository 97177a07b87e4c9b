// Removing a scratch tree a build left behind (an overlay upper and work directory, an
// extraction in progress), whatever its modes: directories without permissions (overlay's
// work directory is mode 000) are opened up first, and no symlink is ever followed, so a
// link planted in the tree cannot make the removal reach outside it.
#pragma once

#include <QString>

namespace stagecraft {

// Removes `path` and everything below it. A symlink `path` is removed itself. Returns
// false when something could not be removed (it stays).
bool removeTreeNoFollow(const QString &path);

} // namespace stagecraft
