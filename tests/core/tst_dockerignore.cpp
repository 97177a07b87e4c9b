// .dockerignore matching against moby/patternmatcher's own vectors, plus whole files
// with exceptions, the skip-directory rule and Go's Clean / filepath.Match.
#include "core/context/dockerignore.h"
#include "core/context/gopath.h"
#include "core/context/pathglob.h"

#include <QFile>
#include <QTest>

using namespace stagecraft;

class TestDockerIgnore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void patternMatcherVectors_data();
    void patternMatcherVectors();
    void vectorFileIsComplete();
    void files_data();
    void files();
    void skipDirectory_data();
    void skipDirectory();
    void badPatternNamesLine();
    void clean_data();
    void clean();
    void glob_data();
    void glob();
};

static QList<QStringList> readVectors()
{
    QList<QStringList> rows;
    QFile file(QFINDTESTDATA("data/context/matches.tsv"));
    if (!file.open(QIODevice::ReadOnly))
        return rows;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) { // line 0 is the header
        if (lines[i].isEmpty())
            continue;
        QStringList fields = QString::fromUtf8(lines[i]).split(u'\t');
        rows.append(fields);
    }
    return rows;
}

void TestDockerIgnore::patternMatcherVectors_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("expected");
    const QList<QStringList> rows = readVectors();
    QVERIFY2(!rows.isEmpty(), "tests/data/context/matches.tsv is missing");
    int n = 0;
    for (const QStringList &row : rows) {
        ++n;
        QVERIFY2(row.size() == 3, qPrintable(row.join(u'|')));
        QTest::addRow("%d: %s ~ %s", n, qPrintable(row[0]), qPrintable(row[1]))
            << row[0] << row[1] << (row[2] == u"true");
    }
}

void TestDockerIgnore::patternMatcherVectors()
{
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, expected);
    // A malformed pattern never matches (Docker refuses it when it loads the file).
    const Expected<IgnorePattern> p = IgnorePattern::compile(pattern);
    const bool matched = p && p->matches(path);
    QCOMPARE(matched, expected);
    if (p) {
        const Expected<DockerIgnore> rules = DockerIgnore::fromPatterns({pattern});
        QVERIFY(rules);
        QCOMPARE(rules->isExcluded(path), expected);
    }
}

void TestDockerIgnore::vectorFileIsComplete()
{
    QCOMPARE(readVectors().size(), 82);
}

void TestDockerIgnore::files_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("excluded");

    const QString basic = QStringLiteral("# comment\n\n*.log\n  /build/  \n./tmp\n");
    QTest::addRow("log") << basic << QStringLiteral("a.log") << true;
    QTest::addRow("log-in-dir-not") << basic << QStringLiteral("dir/a.log") << false;
    QTest::addRow("leading-slash") << basic << QStringLiteral("build/out/x") << true;
    QTest::addRow("dot-slash") << basic << QStringLiteral("tmp") << true;
    QTest::addRow("kept") << basic << QStringLiteral("src/main.go") << false;
    QTest::addRow("comment-is-not-pattern") << basic << QStringLiteral("# comment") << false;

    const QString exceptions = QStringLiteral("*.md\n!README.md\nREADME-secret.md\n");
    QTest::addRow("exception") << exceptions << QStringLiteral("README.md") << false;
    QTest::addRow("exception-other") << exceptions << QStringLiteral("CHANGES.md") << true;
    QTest::addRow("later-wins") << exceptions << QStringLiteral("README-secret.md") << true;

    const QString lastWins = QStringLiteral("!keep\nkeep\n");
    QTest::addRow("last-match-wins") << lastWins << QStringLiteral("keep") << true;

    const QString dirExceptions = QStringLiteral("docs\n!docs/keep.txt\n");
    QTest::addRow("dir-excluded") << dirExceptions << QStringLiteral("docs/other.txt") << true;
    QTest::addRow("dir-child-reincluded") << dirExceptions << QStringLiteral("docs/keep.txt") << false;
    QTest::addRow("dir-itself") << dirExceptions << QStringLiteral("docs") << true;

    const QString everything = QStringLiteral("*\n!src\n!Dockerfile\n");
    QTest::addRow("all-but-src") << everything << QStringLiteral("src/x/y.go") << false;
    QTest::addRow("all-but-dockerfile") << everything << QStringLiteral("Dockerfile") << false;
    QTest::addRow("all-else") << everything << QStringLiteral("node_modules/a") << true;

    const QString doubleStar = QStringLiteral("**/*.pyc\n!**/keep/*.pyc\n");
    QTest::addRow("deep-pyc") << doubleStar << QStringLiteral("a/b/c.pyc") << true;
    QTest::addRow("deep-pyc-kept") << doubleStar << QStringLiteral("a/keep/c.pyc") << false;

    QTest::addRow("bom") << (QString(QChar(0xFEFF)) + QStringLiteral("x\n")) << QStringLiteral("x") << true;
    QTest::addRow("crlf") << QStringLiteral("x\r\ny\r\n") << QStringLiteral("y") << true;
    QTest::addRow("escaped-star") << QStringLiteral("a\\*b\n") << QStringLiteral("axb") << false;
    QTest::addRow("negated-class") << QStringLiteral("f[^0-9]\n") << QStringLiteral("fa") << true;
    QTest::addRow("negated-class-no") << QStringLiteral("f[^0-9]\n") << QStringLiteral("f1") << false;
    QTest::addRow("exception-with-space") << QStringLiteral("*\n! keep\n") << QStringLiteral("keep") << false;
    QTest::addRow("trailing-slash-dir") << QStringLiteral("out/\n") << QStringLiteral("out/bin/a") << true;
}

void TestDockerIgnore::files()
{
    QFETCH(QString, text);
    QFETCH(QString, path);
    QFETCH(bool, excluded);
    const Expected<DockerIgnore> rules = DockerIgnore::parse(text);
    QVERIFY2(rules, rules ? "" : qPrintable(rules.error().message));
    QCOMPARE(rules->isExcluded(path), excluded);
}

void TestDockerIgnore::skipDirectory_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("dir");
    QTest::addColumn<bool>("skip");
    QTest::addRow("no-exceptions") << QStringLiteral("node_modules\n") << QStringLiteral("node_modules")
                                   << true;
    QTest::addRow("not-excluded") << QStringLiteral("x\n") << QStringLiteral("node_modules") << false;
    QTest::addRow("exception-inside")
        << QStringLiteral("docs\n!docs/a.txt\n") << QStringLiteral("docs") << false;
    QTest::addRow("exception-elsewhere")
        << QStringLiteral("docs\nsrc\n!src/a.txt\n") << QStringLiteral("docs") << true;
    QTest::addRow("wildcard-exception")
        << QStringLiteral("docs\n!**/*.txt\n") << QStringLiteral("docs") << false;
}

void TestDockerIgnore::skipDirectory()
{
    QFETCH(QString, text);
    QFETCH(QString, dir);
    QFETCH(bool, skip);
    const Expected<DockerIgnore> rules = DockerIgnore::parse(text);
    QVERIFY(rules);
    QCOMPARE(rules->canSkipDirectory(dir), skip);
}

void TestDockerIgnore::badPatternNamesLine()
{
    const Expected<DockerIgnore> rules = DockerIgnore::parse(QStringLiteral("ok\n\n[z-a\n"));
    QVERIFY(!rules);
    QVERIFY2(rules.error().message.contains(QStringLiteral("line 3")), qPrintable(rules.error().message));
    QVERIFY(!DockerIgnore::parse(QStringLiteral("!\n")));
}

void TestDockerIgnore::clean_data()
{
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    const char *cases[][2] = {
        {"", "."},
        {"abc", "abc"},
        {"abc/", "abc"},
        {"a//b", "a/b"},
        {"./a", "a"},
        {"a/./b", "a/b"},
        {"a/../b", "b"},
        {"../a", "../a"},
        {"/../a", "/a"},
        {"/", "/"},
        {"a/b/../../..", ".."},
        {"a/..", "."},
        {"//a", "/a"},
        {"a/b/c/../d", "a/b/d"},
    };
    for (const auto &c : cases)
        QTest::addRow("%s", c[0]) << QString::fromUtf8(c[0]) << QString::fromUtf8(c[1]);
}

void TestDockerIgnore::clean()
{
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(GoPath::clean(in), out);
}

void TestDockerIgnore::glob_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("result"); // 0 no match, 1 match, 2 bad pattern
    const struct
    {
        const char *pattern;
        const char *name;
        int result;
    } cases[] = {
        {"abc", "abc", 1},  {"*", "abc", 1},      {"*c", "abc", 1},     {"a*", "a", 1},
        {"a*", "ab/c", 0},  {"a*/b", "abc/b", 1}, {"a*/b", "a/c/b", 0}, {"*.go", "main.go", 1},
        {"*.go", ".go", 1}, {"ab[c]", "abc", 1},  {"ab[^c]", "abc", 0}, {"a\\*b", "a*b", 1},
        {"a\\*b", "ab", 0}, {"a?b", "a/b", 0},    {"[", "a", 2},        {"[^", "a", 2},
        {"a[", "a", 2},     {"*x", "xxx", 1},     {"[a-b-c]", "a", 2},  {"\\", "a", 2},
        {"a[", "x", 2},     {"[x\\-]", "-", 1},
    };
    for (const auto &c : cases)
        QTest::addRow("%s ~ %s", c.pattern, c.name)
            << QString::fromUtf8(c.pattern) << QString::fromUtf8(c.name) << c.result;
}

void TestDockerIgnore::glob()
{
    QFETCH(QString, pattern);
    QFETCH(QString, name);
    QFETCH(int, result);
    QCOMPARE(int(PathGlob::match(pattern, name)), result);
}

QTEST_GUILESS_MAIN(TestDockerIgnore)
#include "tst_dockerignore.moc"
