// Path rules for layer tarballs: how an entry name becomes the normalised path a
// LayerEntry carries (no "./", no leading "/", no ".." ever), shared by reading,
// extracting and writing layers.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

// "./usr//bin/" → "usr/bin"; "/" and "." → "". A ".." component is an error: such an
// entry could write outside the directory a layer is unpacked into.
Expected<QString> normaliseLayerPath(const QString &name);

inline constexpr QLatin1String WhiteoutPrefix{".wh."};
inline constexpr QLatin1String OpaqueWhiteoutName{".wh..wh..opq"};

} // namespace stagecraft
