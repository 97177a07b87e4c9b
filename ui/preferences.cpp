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
    p.engine = engineKindFromName(settings.value(QStringLiteral("build/engine")).toString())
                   .value_or(EngineKind::Embedded);
    p.dockerHost = settings.value(QStringLiteral("build/dockerHost")).toString();
    p.dockerBuilder = settings.value(QStringLiteral("build/dockerBuilder")).toString();
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
    settings.setValue(QStringLiteral("build/engine"), engineKindName(engine));
    settings.setValue(QStringLiteral("build/dockerHost"), dockerHost);
    settings.setValue(QStringLiteral("build/dockerBuilder"), dockerBuilder);
}

DockerEngineOptions Preferences::dockerOptions() const
{
    DockerEngineOptions options;
    options.host = dockerHost.trimmed();
    options.builder = dockerBuilder.trimmed();
    return options;
}

} // namespace stagecraft::ui
