#include "ui/provenancecolor.h"

namespace stagecraft::ui {

QColor provenanceColor(bool dark)
{
    return dark ? QColor(0xd9, 0x8c, 0xf5) : QColor(0x8e, 0x24, 0xaa);
}

QColor provenanceLineColor(bool dark)
{
    QColor colour = provenanceColor(dark);
    colour.setAlpha(dark ? 72 : 46);
    return colour;
}

} // namespace stagecraft::ui
