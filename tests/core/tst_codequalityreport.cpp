// CodeQualityReport: GitLab's keys and severities, and fingerprints that stay the same for the
// same finding and differ when the rule, file, line or message does.
#include "core/checks/codequalityreport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace stagecraft;

namespace {

Diagnostic finding(Severity severity, const QString &rule, int line, const QString &message)
{
    Diagnostic d;
    d.severity = severity;
    d.rule = rule;
    if (line > 0)
        d.range = SourceRange{{line, 1}, {line, 5}};
    d.message = message;
    return d;
}

} // namespace

class TestCodeQualityReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void issues()
    {
        const Diagnostics findings{
            finding(Severity::Error, QString(), 2, QStringLiteral("unknown instruction")),
            finding(Severity::Warning, QStringLiteral("FinalStageToolchain"), 5, QStringLiteral("toolchain")),
            finding(Severity::Info, QStringLiteral("UnusedArg"), 0, QStringLiteral("unused")),
        };
        const QJsonArray issues =
            QJsonDocument::fromJson(CodeQualityReport::make(findings, QStringLiteral("docker\\Dockerfile")))
                .array();
        QCOMPARE(issues.size(), 3);
        const QStringList checks{QStringLiteral("DockerfileError"), QStringLiteral("SC001"),
                                 QStringLiteral("SC007")};
        const QStringList severities{QStringLiteral("blocker"), QStringLiteral("major"),
                                     QStringLiteral("info")};
        const QList<int> lines{2, 5, 1}; // no place: line 1, which GitLab needs
        static const QRegularExpression kSha256(QStringLiteral("^[0-9a-f]{64}$"));
        for (qsizetype i = 0; i < issues.size(); ++i) {
            const QJsonObject issue = issues.at(i).toObject();
            QCOMPARE(issue.value(QLatin1String("check_name")).toString(), checks.at(i));
            QCOMPARE(issue.value(QLatin1String("severity")).toString(), severities.at(i));
            QCOMPARE(issue.value(QLatin1String("description")).toString(), findings.at(i).message);
            QVERIFY(kSha256.match(issue.value(QLatin1String("fingerprint")).toString()).hasMatch());
            const QJsonObject location = issue.value(QLatin1String("location")).toObject();
            QCOMPARE(location.value(QLatin1String("path")).toString(), QStringLiteral("docker/Dockerfile"));
            QCOMPARE(location.value(QLatin1String("lines")).toObject().value(QLatin1String("begin")).toInt(),
                     lines.at(i));
        }
    }

    void fingerprints()
    {
        const Diagnostic base =
            finding(Severity::Warning, QStringLiteral("FromAsCasing"), 3, QStringLiteral("casing"));
        const QString path = QStringLiteral("Dockerfile");
        const QString print = CodeQualityReport::fingerprint(base, path);
        // Stable: the same finding again, also with another column or severity.
        QCOMPARE(CodeQualityReport::fingerprint(base, path), print);
        Diagnostic moved = base;
        moved.range.start.column = 7;
        moved.severity = Severity::Error;
        QCOMPARE(CodeQualityReport::fingerprint(moved, path), print);

        QSet<QString> others{print};
        Diagnostic d = base;
        d.rule = QStringLiteral("ConsistentInstructionCasing");
        others.insert(CodeQualityReport::fingerprint(d, path));
        d = base;
        d.range.start.line = 4;
        others.insert(CodeQualityReport::fingerprint(d, path));
        d = base;
        d.message = QStringLiteral("casing!");
        others.insert(CodeQualityReport::fingerprint(d, path));
        others.insert(CodeQualityReport::fingerprint(base, QStringLiteral("other/Dockerfile")));
        // Fields are separated, so moving text between them gives another fingerprint.
        d = base;
        d.message = QStringLiteral("ing");
        others.insert(CodeQualityReport::fingerprint(d, QString::fromUtf8("Dockerfile\0cas", 14)));
        QCOMPARE(others.size(), 6);
    }
};

QTEST_GUILESS_MAIN(TestCodeQualityReport)
#include "tst_codequalityreport.moc"
