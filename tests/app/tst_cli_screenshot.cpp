// `stagecraft --screenshot FILE.png --compare A B`: the window rendered offscreen with the
// Layers view comparing two Docker-built images, and a clear failure for a bad image.
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <set>

namespace {

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", QStringLiteral("..")) +
           QStringLiteral("/tests/data/images/") + name;
}

struct Run
{
    int exitCode = -1;
    QString err;
};

} // namespace

class TestCliScreenshot : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

    Run run(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        // Settings and the default store stay out of the person's own.
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        env.remove(QStringLiteral("STAGECRAFT_STORE"));
        p.setProcessEnvironment(env);
        p.setProgram(QStringLiteral(STAGECRAFT_BIN));
        p.setArguments(args);
        p.start();
        if (!p.waitForFinished(120000))
            return {};
        return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                   QString::fromUtf8(p.readAllStandardError())};
    }

    static int distinctColours(const QImage &image)
    {
        std::set<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                colours.insert(image.pixel(x, y));
        return int(colours.size());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void comparesTwoImages_data()
    {
        QTest::addColumn<QString>("theme");
        QTest::newRow("light") << QStringLiteral("--light");
        QTest::newRow("dark") << QStringLiteral("--dark");
    }
    void comparesTwoImages()
    {
        QFETCH(QString, theme);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString png = dir.filePath(QStringLiteral("compare.png"));
        const Run r = run({QStringLiteral("--screenshot"), png, theme, QStringLiteral("--store"),
                           dir.filePath(QStringLiteral("store")), QStringLiteral("--compare"),
                           imagePath(QStringLiteral("build.docker.tar")),
                           imagePath(QStringLiteral("final.docker.tar"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1280, 800));
        // Text, bars in several colours, the table: far more than a blank window's few colours.
        QVERIFY2(distinctColours(image) > 40, qPrintable(QString::number(distinctColours(image))));
        // The theme is applied: the window's corner is dark in the dark theme.
        const QColor corner = image.pixelColor(image.width() - 5, image.height() - 5);
        QCOMPARE(corner.lightness() < 128, theme == QStringLiteral("--dark"));
    }

    void failsClearlyForAnImageThatCannotBeOpened()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString png = dir.filePath(QStringLiteral("compare.png"));
        const QString missing = dir.filePath(QStringLiteral("missing.tar"));
        const Run r = run({QStringLiteral("--screenshot"), png, QStringLiteral("--store"),
                           dir.filePath(QStringLiteral("store")), QStringLiteral("--compare"),
                           imagePath(QStringLiteral("final.docker.tar")), missing});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("Cannot open ") + missing), qPrintable(r.err));
        QVERIFY(!QFile::exists(png));
    }

    void needsImagesToCompare()
    {
        QTemporaryDir dir;
        const Run r = run({QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png")),
                           QStringLiteral("--compare")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--compare needs the images")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliScreenshot)
#include "tst_cli_screenshot.moc"
