#include "ui/sizetext.h"

#include "core/analysis/bytesize.h"

#include <QLocale>

namespace stagecraft::ui {

QString sizeText(qint64 bytes)
{
    QString text = formatByteSize(bytes);
    const QString point = QLocale().decimalPoint();
    if (point != QLatin1String("."))
        text.replace(QLatin1Char('.'), point);
    return text;
}

} // namespace stagecraft::ui
