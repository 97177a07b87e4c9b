// Word expansion against BuildKit's own vectors (envVarTest, wordsTest) plus cases for
// patterns, the names reported for the UndefinedVar check and the lexer options.
#include "core/dockerfile/shelllex.h"

#include <QFile>
#include <QHash>
#include <QTest>

using namespace stagecraft;

using Env = QHash<QString, QString>;

namespace {

QString dataPath(const QString &relative)
{
    const QByteArray root = qgetenv("STAGECRAFT_SOURCE_DIR");
    if (!root.isEmpty())
        return QString::fromLocal8Bit(root) + QStringLiteral("/tests/data/") + relative;
    return QStringLiteral("data/") + relative;
}

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// BuildKit's BuildEnvs: "k=v" sets k, a bare "k" sets k to "", later entries win.
void addEnv(QHash<QString, QString> &env, const QString &entry)
{
    const qsizetype eq = entry.indexOf(QLatin1Char('='));
    if (eq < 0)
        env.insert(entry, QString());
    else
        env.insert(entry.left(eq), entry.mid(eq + 1));
}

QString trimLeftSpaces(const QString &s)
{
    qsizetype i = 0;
    while (i < s.size() && s.at(i) == QLatin1Char(' '))
        ++i;
    return s.mid(i);
}

QHash<QString, QString> envOf(std::initializer_list<std::pair<const char *, const char *>> pairs)
{
    QHash<QString, QString> env;
    for (const auto &[k, v] : pairs)
        env.insert(QString::fromUtf8(k), QString::fromUtf8(v));
    return env;
}

QStringList sorted(QStringList l)
{
    l.sort();
    return l;
}

} // namespace

class TestShellLex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envVarVectors_data();
    void envVarVectors();
    void wordVectors_data();
    void wordVectors();
    void patterns_data();
    void patterns();
    void referencedNames_data();
    void referencedNames();
    void globToRegex_data();
    void globToRegex();
    void backtickEscape();
    void skipUnsetEnvKeepsReferences();
    void rawQuotesKeepsQuotes();
    void errorMessagesAreSpecific();
    void lookupFunction();
    void randomInputNeverCrashes();
    void limits_data();
    void limits();
    void limitsAreConfigurable();
    void budgetIsShared();
};

void TestShellLex::envVarVectors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");

    const QStringList lines = readLines(dataPath(QStringLiteral("dockerfile/shell/envVarTest")));
    QVERIFY2(!lines.isEmpty(), "envVarTest not found or empty");
    int lineNo = 0;
    int rows = 0;
    for (const QString &raw : lines) {
        ++lineNo;
        if (raw.startsWith(QLatin1Char('#')))
            continue;
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const QStringList fields = line.split(QLatin1Char('|'));
        QCOMPARE(fields.size(), 3);
        const QString platform = fields.at(0).trimmed();
        QVERIFY(platform == QLatin1String("A") || platform == QLatin1String("U") ||
                platform == QLatin1String("W"));
        if (platform == QLatin1String("W"))
            continue; // Windows-only vectors: our builder targets Linux
        QTest::addRow("line %d: %s", lineNo, qPrintable(fields.at(1).trimmed()))
            << fields.at(1).trimmed() << fields.at(2).trimmed();
        ++rows;
    }
    QVERIFY(rows > 150);
}

void TestShellLex::envVarVectors()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);

    QHash<QString, QString> env;
    addEnv(env, QStringLiteral("PWD=/home"));
    addEnv(env, QStringLiteral("SHELL=bash"));
    addEnv(env, QStringLiteral("KOREAN=한국어"));
    addEnv(env, QStringLiteral("NULL="));

    const ShellResult r = ShellLex().processWord(input, env);
    if (expected == QLatin1String("error")) {
        QVERIFY2(!r.ok(), qPrintable(QStringLiteral("expected an error, got \"%1\"").arg(r.value)));
        return;
    }
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.value, expected);
}

void TestShellLex::wordVectors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<Env>("env");

    const QStringList lines = readLines(dataPath(QStringLiteral("dockerfile/shell/wordsTest")));
    QVERIFY2(!lines.isEmpty(), "wordsTest not found or empty");
    QHash<QString, QString> env;
    int lineNo = 0;
    for (const QString &line : lines) {
        ++lineNo;
        if (line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1String("ENV "))) {
            addEnv(env, trimLeftSpaces(line.mid(3)));
            continue;
        }
        const QStringList fields = line.split(QLatin1Char('|'));
        QCOMPARE(fields.size(), 2);
        // The expected side is trimmed on the left only: trailing spaces are significant.
        QTest::addRow("line %d: %s", lineNo, qPrintable(fields.at(0).trimmed()))
            << fields.at(0).trimmed() << trimLeftSpaces(fields.at(1)).split(QLatin1Char(',')) << env;
    }
}

void TestShellLex::wordVectors()
{
    QFETCH(QString, input);
    QFETCH(QStringList, expected);
    QFETCH(Env, env);

    const ShellResult r = ShellLex().processWords(input, env);
    const QStringList words = r.ok() ? r.words : QStringList{QStringLiteral("error")};
    QCOMPARE(words, expected);
}

void TestShellLex::patterns_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<Env>("env");
    QTest::addColumn<QString>("expected"); // "error" when expansion must fail

    QTest::addRow("regex metacharacters are literal")
        << QStringLiteral("${V#()[]{\\}^$.\\*\\?|\\\\}") << envOf({{"V", "()[]{}^$.*?|\\x"}})
        << QStringLiteral("x");
    QTest::addRow("longest suffix of escaped stars")
        << QStringLiteral("${V%%\\**}") << envOf({{"V", "xx**"}}) << QStringLiteral("xx");
    QTest::addRow("shortest prefix") << QStringLiteral("${V#*x*y}") << envOf({{"V", "xxyy"}})
                                     << QStringLiteral("y");
    QTest::addRow("shortest prefix star only")
        << QStringLiteral("${V#*}") << envOf({{"V", "xxyy"}}) << QStringLiteral("xxyy");
    QTest::addRow("prefix from a variable")
        << QStringLiteral("${V#$P}") << envOf({{"V", "xxyy"}, {"P", "x"}}) << QStringLiteral("xyy");
    QTest::addRow("empty prefix") << QStringLiteral("${V#}") << envOf({{"V", "xxyy"}})
                                  << QStringLiteral("xxyy");
    QTest::addRow("longest prefix") << QStringLiteral("${V##*x}") << envOf({{"V", "xxyy"}})
                                    << QStringLiteral("yy");
    QTest::addRow("question mark and escaped one")
        << QStringLiteral("${V#?\\?}") << envOf({{"V", "???y"}}) << QStringLiteral("?y");
    QTest::addRow("no suffix match") << QStringLiteral("${A:-.}${V%x}${A:-.}") << envOf({{"V", "xxyy"}})
                                     << QStringLiteral(".xxyy.");
    QTest::addRow("longest suffix with escapes")
        << QStringLiteral("${V%%\\**\\*}") << envOf({{"V", "a***yy*"}}) << QStringLiteral("a");
    QTest::addRow("shortest suffix") << QStringLiteral("${V%.*}") << envOf({{"V", "file.tar.gz"}})
                                     << QStringLiteral("file.tar");
    QTest::addRow("longest suffix") << QStringLiteral("${V%%.*}") << envOf({{"V", "file.tar.gz"}})
                                    << QStringLiteral("file");
    QTest::addRow("replace first and all")
        << QStringLiteral("${V/$N/.} - ${V//$N/.}") << envOf({{"V", "/foo*/*/*.txt"}, {"N", "\\*/"}})
        << QStringLiteral("/foo.*/*.txt - /foo..*.txt");
    QTest::addRow("slash in pattern")
        << QStringLiteral("${V/$N/} - ${V//$N/}") << envOf({{"V", "/tmp/tmp/bar.txt"}, {"N", "/tmp"}})
        << QStringLiteral("/tmp/bar.txt - /bar.txt");
    QTest::addRow("question mark in replace") << QStringLiteral("${V/$N/$R} - ${V//$N/$R}")
                                              << envOf({{"V", "/a/foo/b/c.txt"}, {"N", "/?/"}, {"R", "/"}})
                                              << QStringLiteral("/foo/b/c.txt - /foo/c.txt");
    QTest::addRow("escaped separators") << QStringLiteral("${V//\\//\\/}") << envOf({{"V", "/tmp/foo.txt"}})
                                        << QStringLiteral("\\/tmp\\/foo.txt");
    QTest::addRow("empty pattern replaces at start")
        << QStringLiteral("${V/$N/ww}") << envOf({{"V", "xxyy"}, {"N", ""}}) << QStringLiteral("wwxxyy");
    QTest::addRow("replace all with star is one match")
        << QStringLiteral("${V//*/r}") << envOf({{"V", "abc"}}) << QStringLiteral("r");
    QTest::addRow("missing replacement")
        << QStringLiteral("${V//ww}") << envOf({{"V", "xxyy"}}) << QStringLiteral("error");
    QTest::addRow("missing pattern end")
        << QStringLiteral("${V//}") << envOf({{"V", "xxyy"}}) << QStringLiteral("error");
    QTest::addRow("empty pattern and replacement")
        << QStringLiteral("${V///}") << envOf({{"V", "xxyy"}}) << QStringLiteral("xxyy");
    QTest::addRow("invalid escape in pattern")
        << QStringLiteral("${V#\\x}") << envOf({{"V", "xxyy"}}) << QStringLiteral("error");
    QTest::addRow("assign is unsupported")
        << QStringLiteral("${V=a}") << envOf({{"V", "x"}}) << QStringLiteral("error");
    QTest::addRow("required with message set")
        << QStringLiteral("${V:?message here$A}") << envOf({{"V", "plain"}, {"A", "x"}})
        << QStringLiteral("plain");
    QTest::addRow("unset-only check allows empty")
        << QStringLiteral("${V?m}") << envOf({{"V", ""}}) << QString();
    QTest::addRow("platform release name")
        << QStringLiteral("s-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tgz")
        << envOf({{"VERSION", "v1"}, {"TARGETOS", "linux"}, {"TARGETARCH", "arm"}, {"TARGETVARIANT", "v7"}})
        << QStringLiteral("s-v1.linux-arm-v7.tgz");
    QTest::addRow("non-BMP characters")
        << QStringLiteral("${V%🚀*}") << envOf({{"V", "👽🚀🖖"}}) << QStringLiteral("👽");
}

void TestShellLex::patterns()
{
    QFETCH(QString, input);
    QFETCH(Env, env);
    QFETCH(QString, expected);

    const ShellResult r = ShellLex().processWord(input, env);
    if (expected == QLatin1String("error")) {
        QVERIFY2(!r.ok(), qPrintable(r.value));
        QVERIFY(!r.error.isEmpty());
        return;
    }
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.value, expected);
}

void TestShellLex::referencedNames_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<Env>("env");
    QTest::addColumn<QStringList>("matched");
    QTest::addColumn<QStringList>("unmatched");

    const auto env = envOf({{"FOO", "xxx"}, {"BAR", ""}});
    QTest::addRow("none") << QStringLiteral("x") << env << QStringList{} << QStringList{};
    QTest::addRow("unset") << QStringLiteral("x ${UNUSED}") << env << QStringList{}
                           << QStringList{QStringLiteral("UNUSED")};
    QTest::addRow("default forms") << QStringLiteral("${FOO-a} ${BAR:-b} ${BAZ-c}") << env
                                   << QStringList{QStringLiteral("BAR"), QStringLiteral("FOO")}
                                   << QStringList{QStringLiteral("BAZ")};
    QTest::addRow("nested") << QStringLiteral("${BAZ:-${FOO}}$QUX") << env
                            << QStringList{QStringLiteral("FOO")}
                            << QStringList{QStringLiteral("BAZ"), QStringLiteral("QUX")};
    QTest::addRow("single quotes hide names")
        << QStringLiteral("'$NOPE' \"$FOO\"") << env << QStringList{QStringLiteral("FOO")} << QStringList{};
    QTest::addRow("escaped dollar") << QStringLiteral("\\$NOPE") << env << QStringList{} << QStringList{};
    QTest::addRow("positional") << QStringLiteral("$1") << env << QStringList{}
                                << QStringList{QStringLiteral("1")};
}

void TestShellLex::referencedNames()
{
    QFETCH(QString, input);
    QFETCH(Env, env);
    QFETCH(QStringList, matched);
    QFETCH(QStringList, unmatched);

    const ShellResult r = ShellLex().processWord(input, env);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(sorted(r.matched), sorted(matched));
    QCOMPARE(sorted(r.unmatched), sorted(unmatched));
}

void TestShellLex::globToRegex_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("valid");

    QTest::addRow("star") << QStringLiteral("*") << true;
    QTest::addRow("escaped star") << QStringLiteral("\\*") << true;
    QTest::addRow("metacharacters") << QStringLiteral("(()[]{\\}^$.\\*\\?|\\\\") << true;
    QTest::addRow("lone backslash") << QStringLiteral("\\") << false;
    QTest::addRow("backslash x") << QStringLiteral("\\x") << false;
    QTest::addRow("three backslashes") << QStringLiteral("\\\\\\") << false;
}

void TestShellLex::globToRegex()
{
    QFETCH(QString, pattern);
    QFETCH(bool, valid);
    QString error;
    const QString regex = ShellLex::globToRegex(pattern, true, true, &error);
    QCOMPARE(error.isEmpty(), valid);
    if (valid)
        QVERIFY(QRegularExpression(regex).isValid());
}

void TestShellLex::backtickEscape()
{
    // Windows Dockerfiles use `# escape=`\``; then a backslash is an ordinary character.
    const ShellLex lex(QLatin1Char('`'));
    const auto env = envOf({{"P", "C:\\x"}});
    ShellResult r = lex.processWord(QStringLiteral("C:\\dir `$P \"a`\"b\" $P"), env);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.value, QStringLiteral("C:\\dir $P a\"b C:\\x"));
    r = lex.processWords(QStringLiteral("a` b c"), env);
    QCOMPARE(r.words, (QStringList{QStringLiteral("a b"), QStringLiteral("c")}));
}

void TestShellLex::skipUnsetEnvKeepsReferences()
{
    ShellLex lex;
    lex.setSkipUnsetEnv(true);
    const auto env = envOf({{"SET", "v"}});
    const ShellResult r = lex.processWord(QStringLiteral("$SET $NOPE ${NOPE} ${NOPE:-d} ${NOPE//a/b}"), env);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.value, QStringLiteral("v $NOPE ${NOPE} ${NOPE:-d} ${NOPE//a/b}"));
    QCOMPARE(r.unmatched, QStringList{QStringLiteral("NOPE")});
}

void TestShellLex::rawQuotesKeepsQuotes()
{
    ShellLex lex;
    lex.setRawQuotes(true);
    const ShellResult r = lex.processWord(QStringLiteral("a'b c'\"d $X\""), envOf({{"X", "x"}}));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.value, QStringLiteral("a'b c'\"d x\""));

    ShellLex plain;
    plain.setSkipProcessQuotes(true);
    const ShellResult s = plain.processWords(QStringLiteral("'a b'"), Env{});
    QCOMPARE(s.words, (QStringList{QStringLiteral("'a"), QStringLiteral("b'")}));
}

void TestShellLex::errorMessagesAreSpecific()
{
    const QHash<QString, QString> env;
    const ShellLex lex;
    QVERIFY(lex.processWord(QStringLiteral("${aaa"), env).error.contains(QLatin1String("missing '}'")));
    QVERIFY(lex.processWord(QStringLiteral("${}"), env).error.contains(QLatin1String("bad substitution")));
    QVERIFY(lex.processWord(QStringLiteral("${X:?}"), env)
                .error.contains(QLatin1String("X: is not allowed to be unset")));
    QVERIFY(lex.processWord(QStringLiteral("${X?need X}"), env).error.contains(QLatin1String("X: need X")));
    QVERIFY(lex.processWord(QStringLiteral("\"abc"), env).error.contains(QLatin1String("double-quote")));
    QVERIFY(lex.processWord(QStringLiteral("'abc"), env).error.contains(QLatin1String("single-quote")));
    QVERIFY(lex.processWord(QStringLiteral("${X:=1}"), env)
                .error.contains(QLatin1String("unsupported modifier (:=)")));
    QVERIFY(lex.processWord(QStringLiteral("${a"), env)
                .error.startsWith(QLatin1String("failed to process \"${a\"")));
}

void TestShellLex::lookupFunction()
{
    int calls = 0;
    const ShellLex::EnvLookup lookup = [&calls](const QString &name) -> std::optional<QString> {
        ++calls;
        if (name == QLatin1String("HOME"))
            return QStringLiteral("/root");
        return std::nullopt;
    };
    const ShellResult r = ShellLex().processWord(QStringLiteral("$HOME/${NOPE:-x}"), lookup);
    QCOMPARE(r.value, QStringLiteral("/root/x"));
    QCOMPARE(calls, 2);
}

void TestShellLex::randomInputNeverCrashes()
{
    // Half-typed words reach the lexer on every keystroke: whatever the text, it must
    // return a value or an error, never hang or crash.
    const QString alphabet = QStringLiteral("${}:-+?#%/\\'\"` \tabAZ_09.*[]\n") + QString::fromUtf8("한🚀");
    const Env env{{QStringLiteral("A"), QStringLiteral("a*b/c")}, {QStringLiteral("B"), QString()}};
    quint32 seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7fff;
    };
    const ShellLex backslash;
    const ShellLex backtick(QLatin1Char('`'));
    for (int i = 0; i < 20000; ++i) {
        QString word;
        const int length = int(next() % 24);
        for (int j = 0; j < length; ++j)
            word += alphabet.at(next() % alphabet.size());
        for (const ShellLex *lex : {&backslash, &backtick}) {
            const ShellResult r = lex->processWords(word, env);
            QVERIFY(r.ok() || !r.error.isEmpty());
        }
    }
}

namespace {

// `${a:-${a:-…x…}}`, `depth` levels deep.
QString nested(int depth)
{
    return QStringLiteral("${a:-").repeated(depth) + QStringLiteral("x") +
           QStringLiteral("}").repeated(depth);
}

} // namespace

void TestShellLex::limits_data()
{
    QTest::addColumn<QString>("word");
    QTest::addColumn<Env>("env");
    QTest::addColumn<int>("kind"); // ShellErrorKind
    QTest::addColumn<qsizetype>("offset");
    QTest::addColumn<qsizetype>("valueSize"); // when it expands

    const qsizetype half = ShellLimits::kDefaultMaxWordSize / 2;
    const Env big{{QStringLiteral("big"), QString(half, QLatin1Char('x'))}};
    const Env oneChar{{QStringLiteral("c"), QStringLiteral("c")},
                      {QStringLiteral("big"), big.value(QStringLiteral("big"))}};

    // Nesting: 64 levels expand, the 65th `${` is refused where it starts (5 characters a level).
    QTest::addRow("nested 64 deep expands")
        << nested(64) << Env{} << int(ShellErrorKind::None) << qsizetype(-1) << qsizetype(1);
    QTest::addRow("nested 65 deep refused")
        << nested(65) << Env{} << int(ShellErrorKind::Depth) << qsizetype(64 * 5) << qsizetype(-1);
    QTest::addRow("nested 10000 deep refused, no crash")
        << nested(10000) << Env{} << int(ShellErrorKind::Depth) << qsizetype(64 * 5) << qsizetype(-1);
    QTest::addRow("nested in double quotes")
        << QStringLiteral("\"${a:-").repeated(100) + QStringLiteral("}\"").repeated(100) << Env{}
        << int(ShellErrorKind::Depth) << qsizetype(64 * 6 + 1) << qsizetype(-1);
    QTest::addRow("unterminated deep nesting is a limit, not a syntax error")
        << QStringLiteral("${a:-").repeated(10000) << Env{} << int(ShellErrorKind::Depth) << qsizetype(64 * 5)
        << qsizetype(-1);

    // Size: substituted characters count, the word's own text does not.
    QTest::addRow("two halves fit") << QStringLiteral("$big$big") << big << int(ShellErrorKind::None)
                                    << qsizetype(-1) << 2 * half;
    QTest::addRow("three halves refused at the third reference")
        << QStringLiteral("$big-$big-${big}") << big << int(ShellErrorKind::Size) << qsizetype(10)
        << qsizetype(-1);
    QTest::addRow("nested words count") << QStringLiteral("${no:-$big$big$big}") << big
                                        << int(ShellErrorKind::Size) << qsizetype(14) << qsizetype(-1);
    QTest::addRow("default value counts") << QStringLiteral("${big:-x}${big:-x}${big:-x}") << big
                                          << int(ShellErrorKind::Size) << qsizetype(18) << qsizetype(-1);
    QTest::addRow("replacement bomb refused") << QStringLiteral("${big//?/$c$c$c}") << oneChar
                                              << int(ShellErrorKind::Size) << qsizetype(0) << qsizetype(-1);
    QTest::addRow("long literal text is not limited")
        << QString(3 * half, QLatin1Char('y')) << Env{} << int(ShellErrorKind::None) << qsizetype(-1)
        << 3 * half;
}

void TestShellLex::limits()
{
    QFETCH(QString, word);
    QFETCH(Env, env);
    QFETCH(int, kind);
    QFETCH(qsizetype, offset);
    QFETCH(qsizetype, valueSize);

    const ShellResult r = ShellLex().processWord(word, env);
    QCOMPARE(int(r.errorKind), kind);
    QCOMPARE(r.errorOffset, offset);
    if (kind == int(ShellErrorKind::None)) {
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.value.size(), valueSize);
        return;
    }
    QVERIFY(!r.ok());
    QVERIFY(r.limitExceeded());
    // The message names the limit and stays short however long the word is.
    QVERIFY2(r.error.size() < 200, qPrintable(r.error.left(300)));
    QVERIFY(r.error.contains(kind == int(ShellErrorKind::Depth) ? QLatin1String("64 levels")
                                                                : QLatin1String("1048576 characters")));
}

void TestShellLex::limitsAreConfigurable()
{
    ShellLex lex;
    lex.setLimits({2, 4});
    QVERIFY(lex.processWord(QStringLiteral("${a:-${b:-x}}"), Env{}).ok());
    QCOMPARE(lex.processWord(QStringLiteral("${a:-${b:-${c:-x}}}"), Env{}).errorKind, ShellErrorKind::Depth);
    const Env env{{QStringLiteral("v"), QStringLiteral("ab")}};
    QCOMPARE(lex.processWord(QStringLiteral("$v$v"), env).value, QStringLiteral("abab"));
    const ShellResult r = lex.processWord(QStringLiteral("$v$v$v"), env);
    QCOMPARE(r.errorKind, ShellErrorKind::Size);
    QCOMPARE(r.errorOffset, qsizetype(4));
}

void TestShellLex::budgetIsShared()
{
    // Words each under the per-word limit add up in a budget shared by a pass over a file.
    ExpansionBudget budget(10);
    ShellLex first;
    ShellLex second(QLatin1Char('`'));
    first.setBudget(&budget);
    second.setBudget(&budget);
    const Env env{{QStringLiteral("v"), QStringLiteral("abcd")}};
    QVERIFY(first.processWord(QStringLiteral("$v"), env).ok());
    QVERIFY(second.processWord(QStringLiteral("x${v}y"), env).ok());
    QVERIFY(!budget.exhausted());
    const ShellResult r = first.processWord(QStringLiteral("lit $v"), env);
    QCOMPARE(r.errorKind, ShellErrorKind::Budget);
    QCOMPARE(r.errorOffset, qsizetype(4));
    QVERIFY(budget.exhausted());
    // Once spent, it stays spent; words that substitute nothing still expand.
    QCOMPARE(second.processWord(QStringLiteral("$v"), env).errorKind, ShellErrorKind::Budget);
    QCOMPARE(second.processWord(QStringLiteral("plain ${unset}"), env).value, QStringLiteral("plain "));
}

QTEST_GUILESS_MAIN(TestShellLex)
#include "tst_shelllex.moc"
