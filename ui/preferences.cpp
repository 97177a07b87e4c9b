#include "ui/preferences.h"

#include <QFontDatabase>
#include <QSettings>

namespace stagecraft::ui {

QFont Preferences::defaultEditorFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSize(12);
    return font;
}

Preferences Preferences::load()
{
    QSettings settings;
    Preferences p;
    p.theme = Theme::choiceFromKey(settings.value(QStringLiteral("appearance/theme")).toString());
    p.language = settings.value(QStringLiteral("appearance/language")).toString();
    p.editorFont = defaultEditorFont();
    const QString family = settings.value(QStringLiteral("editor/fontFamily")).toString();
    if (!family.isEmpty())
        p.editorFont.setFamily(family);
    const int size = settings.value(QStringLiteral("editor/fontSize"), p.editorFont.pointSize()).toInt();
    p.editorFont.setPointSize(std::clamp(size, 6, 72));
    p.zoomPercent =
        std::clamp(settings.value(QStringLiteral("view/zoomPercent"), 100).toInt(), kMinZoom, kMaxZoom);
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("appearance/theme"), Theme::choiceKey(theme));
    settings.setValue(QStringLiteral("appearance/language"), language);
    settings.setValue(QStringLiteral("editor/fontFamily"), editorFont.family());
    settings.setValue(QStringLiteral("editor/fontSize"), editorFont.pointSize());
    settings.setValue(QStringLiteral("view/zoomPercent"), zoomPercent);
}

} // namespace stagecraft::ui
