#include "ui/application.h"

#include "core/store/imagestore.h"
#include "ui/examplecatalog.h"
#include "ui/layersview.h"
#include "ui/mainwindow.h"
#include "ui/preferences.h"
#include "ui/stagegraphview.h"
#include "ui/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <cstring>

namespace stagecraft::ui {

namespace {

void printError(const QString &message)
{
    std::fputs(qPrintable(message + QLatin1Char('\n')), stderr);
}

// The screenshot mode renders without a display when none is there.
void chooseOffscreenPlatformIfNeeded(int argc, char **argv)
{
    bool screenshot = false;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--screenshot") == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0)
            screenshot = true;
    if (screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
}

bool savePixmap(const QPixmap &pixmap, const QString &path)
{
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        printError(QApplication::translate("stagecraft::ui::Application", "stagecraft: cannot write %1")
                       .arg(QDir::toNativeSeparators(path)));
        return false;
    }
    return true;
}

// `--compare A B`: the Layers view comparing the images, once they are loaded.
int takeCompareScreenshot(MainWindow &window, const QStringList &images, const QString &path,
                          const QSize &size)
{
    window.resize(size);
    window.layersView()->compare(images);
    window.showViewAlone(QStringLiteral("layers"));
    window.show();
    // Big images take a while to index the first time; their layer indexes are cached after.
    if (!window.layersView()->waitUntilLoaded(10 * 60 * 1000)) {
        printError(QApplication::translate("stagecraft::ui::Application",
                                           "stagecraft: the images were still loading after ten minutes"));
        return 1;
    }
    const QStringList errors = window.layersView()->errors();
    if (!errors.isEmpty()) {
        for (const QString &error : errors)
            printError(QStringLiteral("stagecraft: ") + error);
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 300)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    return savePixmap(window.grab(), path) ? 0 : 1;
}

int takeScreenshot(MainWindow &window, const QString &path, const QSize &size)
{
    window.graphView()->setAnimated(false);
    window.resize(size);
    window.show();
    // Let the parse timer, the graph layout and the first paint settle before grabbing.
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 400) {
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        window.flushAnalysis();
    }
    window.graphView()->fitToView();
    QApplication::processEvents();
    return savePixmap(window.grab(), path) ? 0 : 1;
}

} // namespace

bool installTranslations(const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty())
        QLocale::setDefault(locale);
    auto *qt = new QTranslator(qApp);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *own = new QTranslator(qApp);
    if (own->load(locale, QStringLiteral("stagecraft"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(own);
        return true;
    }
    delete own;
    return false;
}

int runApplication(int &argc, char **argv)
{
    chooseOffscreenPlatformIfNeeded(argc, argv);
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Stagecraft"));
    QApplication::setOrganizationName(QStringLiteral("stagecraft"));
    QApplication::setApplicationVersion(QStringLiteral(STAGECRAFT_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("io.github.stagecraft.Stagecraft"));

    const Preferences preferences = Preferences::load();
    installTranslations(preferences.language);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("stagecraft::ui::Application", "Edit and see multi-stage Dockerfiles."));
    const QCommandLineOption exampleOption(
        QStringLiteral("example"),
        QApplication::translate("stagecraft::ui::Application", "Open a built-in example."),
        QStringLiteral("id"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QApplication::translate("stagecraft::ui::Application", "Render the window to a PNG file and exit."),
        QStringLiteral("png"));
    const QCommandLineOption darkOption(
        QStringLiteral("dark"),
        QApplication::translate("stagecraft::ui::Application", "Use the dark theme."));
    const QCommandLineOption lightOption(
        QStringLiteral("light"),
        QApplication::translate("stagecraft::ui::Application", "Use the light theme."));
    const QCommandLineOption compareOption(
        QStringLiteral("compare"),
        QApplication::translate("stagecraft::ui::Application",
                                "Show the Layers view comparing the images named as arguments (store "
                                "references, docker-save tarballs or OCI layout directories)."));
    const QCommandLineOption storeOption(
        QStringLiteral("store"),
        QApplication::translate("stagecraft::ui::Application", "The image store to use."),
        QStringLiteral("dir"));
    // Projectors and small laptops: the layout must hold at 1024×768, so screenshots can be taken there.
    const QCommandLineOption sizeOption(
        QStringLiteral("size"),
        QApplication::translate("stagecraft::ui::Application",
                                "The window's size for --screenshot, e.g. 1024x768 (default 1280x800)."),
        QStringLiteral("WxH"), QStringLiteral("1280x800"));
    const QCommandLineOption viewOption(
        QStringLiteral("view"),
        QApplication::translate("stagecraft::ui::Application",
                                "The view beside the editor: graph, layers or files."),
        QStringLiteral("name"), QStringLiteral("graph"));
    parser.addOptions({exampleOption, screenshotOption, darkOption, lightOption, compareOption, storeOption,
                       sizeOption, viewOption});
    parser.addPositionalArgument(
        QStringLiteral("file"),
        QApplication::translate("stagecraft::ui::Application",
                                "The Dockerfile to open (with --compare: the images to compare)."));
    if (!parser.parse(QApplication::arguments())) {
        printError(QStringLiteral("stagecraft: ") + parser.errorText());
        return 2;
    }
    const QStringList sizeParts = parser.value(sizeOption).split(QLatin1Char('x'));
    const QSize size =
        sizeParts.size() == 2 ? QSize(sizeParts.at(0).toInt(), sizeParts.at(1).toInt()) : QSize();
    if (size.width() < 320 || size.height() < 240 || size.width() > 8192 || size.height() > 8192) {
        printError(QApplication::translate("stagecraft::ui::Application",
                                           "stagecraft: --size wants WIDTHxHEIGHT, e.g. 1024x768"));
        return 2;
    }
    const bool comparing = parser.isSet(compareOption);
    if (comparing && parser.positionalArguments().isEmpty()) {
        printError(QApplication::translate("stagecraft::ui::Application",
                                           "stagecraft: --compare needs the images to compare, e.g. "
                                           "`stagecraft --compare big.tar small.tar`"));
        return 2;
    }
    if (!comparing && parser.positionalArguments().size() > 1) {
        printError(
            QApplication::translate("stagecraft::ui::Application", "stagecraft: open one file at a time"));
        return 2;
    }

    ThemeChoice theme = preferences.theme;
    if (parser.isSet(darkOption))
        theme = ThemeChoice::Dark;
    else if (parser.isSet(lightOption))
        theme = ThemeChoice::Light;
    Theme::apply(theme);

    MainWindow window;
    window.layersView()->setStoreRoot(ImageStore::defaultRoot(parser.value(storeOption)));
    QString error;
    bool opened = true;
    if (parser.isSet(exampleOption)) {
        opened = window.openExample(parser.value(exampleOption), &error);
    } else if (!comparing && !parser.positionalArguments().isEmpty()) {
        opened = window.openFile(parser.positionalArguments().first(), &error);
    }
    if (!opened) {
        printError(QStringLiteral("stagecraft: ") + error);
        if (parser.isSet(screenshotOption))
            return 1;
    }
    window.showView(parser.value(viewOption));
    if (comparing && parser.isSet(screenshotOption))
        return takeCompareScreenshot(window, parser.positionalArguments(), parser.value(screenshotOption),
                                     size);
    if (parser.isSet(screenshotOption))
        return takeScreenshot(window, parser.value(screenshotOption), size);

    if (comparing) {
        window.layersView()->compare(parser.positionalArguments());
        window.showViewAlone(QStringLiteral("layers"));
    }
    window.show();
    window.checkHost(true);
    return QApplication::exec();
}

} // namespace stagecraft::ui
