// SarifReport: the SARIF log's parts that code hosts rely on, from hand-made findings: levels,
// rule ids and indexes, regions (and none where the place is unknown or backwards), relative
// URIs, and which quick-fixes become SARIF fixes. tst_cli_check_reports validates whole logs
// against the official schema.
#include "core/checks/buildchecks.h"
#include "core/checks/sarifreport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace stagecraft;

namespace {

Diagnostic finding(Severity severity, const QString &rule, SourceRange range, const QString &message)
{
    Diagnostic d;
    d.severity = severity;
    d.rule = rule;
    d.range = range;
    d.message = message;
    return d;
}

SourceRange range(int line, int column, int endLine, int endColumn)
{
    return SourceRange{{line, column}, {endLine, endColumn}};
}

QJsonObject runOf(const QByteArray &log)
{
    return QJsonDocument::fromJson(log).object().value(QLatin1String("runs")).toArray().at(0).toObject();
}

} // namespace

class TestSarifReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void relativeUri_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("uri");
        QTest::addRow("plain") << "Dockerfile"
                               << "Dockerfile";
        QTest::addRow("folder") << "docker/app/Dockerfile"
                                << "docker/app/Dockerfile";
        QTest::addRow("space") << "docker files/Dockerfile"
                               << "docker%20files/Dockerfile";
        QTest::addRow("backslashes") << "docker\\Dockerfile"
                                     << "docker/Dockerfile";
        QTest::addRow("colon would be a scheme") << "c:Dockerfile"
                                                 << "./c:Dockerfile";
        QTest::addRow("hash and percent") << "a#b/50%.Dockerfile"
                                          << "a%23b/50%25.Dockerfile";
        QTest::addRow("parent") << "../other/Dockerfile"
                                << "../other/Dockerfile";
    }

    void relativeUri()
    {
        QFETCH(QString, path);
        QFETCH(QString, uri);
        QCOMPARE(SarifReport::relativeUri(path), uri);
    }

    void resultsPointAtTheirRules()
    {
        const Diagnostics findings{
            finding(Severity::Warning, QStringLiteral("FromAsCasing"), range(1, 1, 1, 5),
                    QStringLiteral("casing")),
            finding(Severity::Info, QStringLiteral("UnusedStage"), range(3, 1, 3, 5),
                    QStringLiteral("unused")),
            finding(Severity::Error, QString(), range(4, 2, 4, 9), QStringLiteral("syntax")),
            finding(Severity::Warning, QStringLiteral("SomeNewBuildKitRule"), range(5, 1, 5, 2),
                    QStringLiteral("new")),
        };
        const QJsonObject run =
            runOf(SarifReport::make(findings, {QStringLiteral("Dockerfile"), QStringLiteral("1.2.3"), {}}));
        const QJsonObject driver =
            run.value(QLatin1String("tool")).toObject().value(QLatin1String("driver")).toObject();
        QCOMPARE(driver.value(QLatin1String("version")).toString(), QStringLiteral("1.2.3"));
        const QJsonArray rules = driver.value(QLatin1String("rules")).toArray();
        // Every rule of both lists, the rule for errors without one, and the unknown name.
        QCOMPARE(rules.size(), BuildChecks::rules().size() + BuildChecks::stagecraftRules().size() + 2);

        const QJsonArray results = run.value(QLatin1String("results")).toArray();
        QCOMPARE(results.size(), 4);
        const QStringList ids{QStringLiteral("FromAsCasing"), QStringLiteral("SC006"),
                              QStringLiteral("DockerfileError"), QStringLiteral("SomeNewBuildKitRule")};
        const QStringList levels{QStringLiteral("warning"), QStringLiteral("note"), QStringLiteral("error"),
                                 QStringLiteral("warning")};
        for (qsizetype i = 0; i < results.size(); ++i) {
            const QJsonObject r = results.at(i).toObject();
            QCOMPARE(r.value(QLatin1String("ruleId")).toString(), ids.at(i));
            QCOMPARE(r.value(QLatin1String("level")).toString(), levels.at(i));
            const int index = r.value(QLatin1String("ruleIndex")).toInt(-1);
            QCOMPARE(rules.at(index).toObject().value(QLatin1String("id")).toString(), ids.at(i));
        }
        const QJsonObject sc006 =
            rules.at(results.at(1).toObject().value(QLatin1String("ruleIndex")).toInt()).toObject();
        QCOMPARE(sc006.value(QLatin1String("name")).toString(), QStringLiteral("UnusedStage"));
        QCOMPARE(sc006.value(QLatin1String("defaultConfiguration"))
                     .toObject()
                     .value(QLatin1String("level"))
                     .toString(),
                 QStringLiteral("note"));
        QVERIFY(sc006.value(QLatin1String("helpUri"))
                    .toString()
                    .endsWith(QLatin1String("docs/checks.md#sc006-unusedstage")));
        QVERIFY(sc006.value(QLatin1String("helpUri")).toString().startsWith(QLatin1String("https://")));
    }

    void regions_data()
    {
        QTest::addColumn<SourceRange>("where");
        QTest::addColumn<QString>("region"); // startLine,startColumn[,endLine,endColumn] or "none"
        QTest::addRow("one line") << range(3, 1, 3, 9) << "3,1,3,9";
        QTest::addRow("two lines") << range(3, 5, 4, 2) << "3,5,4,2";
        QTest::addRow("empty") << range(3, 5, 3, 5) << "3,5,3,5";
        QTest::addRow("unknown place") << SourceRange{} << "none";
        QTest::addRow("end before start") << range(4, 5, 3, 1) << "4,5";
        QTest::addRow("no end") << range(4, 5, 0, 0) << "4,5";
        QTest::addRow("no column") << range(4, 0, 4, 0) << "none";
    }

    void regions()
    {
        QFETCH(SourceRange, where);
        QFETCH(QString, region);
        const QJsonObject run = runOf(SarifReport::make(
            {finding(Severity::Warning, QStringLiteral("FromAsCasing"), where, QStringLiteral("m"))},
            {QStringLiteral("Dockerfile"), QStringLiteral("0"), {}}));
        const QJsonObject physical = run.value(QLatin1String("results"))
                                         .toArray()
                                         .at(0)
                                         .toObject()
                                         .value(QLatin1String("locations"))
                                         .toArray()
                                         .at(0)
                                         .toObject()
                                         .value(QLatin1String("physicalLocation"))
                                         .toObject();
        QCOMPARE(physical.value(QLatin1String("artifactLocation"))
                     .toObject()
                     .value(QLatin1String("uriBaseId"))
                     .toString(),
                 QStringLiteral("%SRCROOT%"));
        if (region == QLatin1String("none")) {
            QVERIFY(!physical.contains(QLatin1String("region")));
            return;
        }
        const QJsonObject r = physical.value(QLatin1String("region")).toObject();
        QStringList got{QString::number(r.value(QLatin1String("startLine")).toInt()),
                        QString::number(r.value(QLatin1String("startColumn")).toInt())};
        if (r.contains(QLatin1String("endLine")))
            got << QString::number(r.value(QLatin1String("endLine")).toInt())
                << QString::number(r.value(QLatin1String("endColumn")).toInt());
        QCOMPARE(got.join(QLatin1Char(',')), region);
    }

    // Fixes that edit the Dockerfile become SARIF fixes; one that also writes a .dockerignore
    // would be applied in part by a code host, so it is left to `check --fix`.
    void quickFixes()
    {
        const Diagnostic casing = finding(Severity::Warning, QStringLiteral("FromAsCasing"),
                                          range(1, 1, 1, 5), QStringLiteral("casing"));
        const Diagnostic context = finding(Severity::Warning, QStringLiteral("CopyWholeContext"),
                                           range(2, 1, 2, 9), QStringLiteral("context"));
        SarifReport::Input input{QStringLiteral("Dockerfile"), QStringLiteral("0"), {}};
        input.fixesFor = [&](const Diagnostic &d) {
            QuickFix fix;
            fix.rule = d.rule;
            fix.range = d.range;
            if (d.rule == QLatin1String("FromAsCasing")) {
                fix.title = QStringLiteral("Write FROM");
                fix.edits = {{range(1, 1, 1, 5), QStringLiteral("FROM")}, {range(1, 12, 1, 14), QString()}};
            } else {
                fix.title = QStringLiteral("Add a .dockerignore");
                fix.edits = {{range(2, 1, 2, 1), QStringLiteral("# note\n")}};
                fix.files = {{QStringLiteral(".dockerignore"), QStringLiteral(".git\n")}};
            }
            return QList<QuickFix>{fix};
        };
        const QJsonArray results =
            runOf(SarifReport::make({casing, context}, input)).value(QLatin1String("results")).toArray();
        const QJsonArray fixes = results.at(0).toObject().value(QLatin1String("fixes")).toArray();
        QCOMPARE(fixes.size(), 1);
        const QJsonObject fix = fixes.at(0).toObject();
        QCOMPARE(fix.value(QLatin1String("description")).toObject().value(QLatin1String("text")).toString(),
                 QStringLiteral("Write FROM"));
        const QJsonArray replacements = fix.value(QLatin1String("artifactChanges"))
                                            .toArray()
                                            .at(0)
                                            .toObject()
                                            .value(QLatin1String("replacements"))
                                            .toArray();
        QCOMPARE(replacements.size(), 2);
        QCOMPARE(replacements.at(0)
                     .toObject()
                     .value(QLatin1String("insertedContent"))
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("FROM"));
        // A deletion has no inserted content.
        QVERIFY(!replacements.at(1).toObject().contains(QLatin1String("insertedContent")));
        QCOMPARE(replacements.at(1)
                     .toObject()
                     .value(QLatin1String("deletedRegion"))
                     .toObject()
                     .value(QLatin1String("startColumn"))
                     .toInt(),
                 12);
        QVERIFY(!results.at(1).toObject().contains(QLatin1String("fixes")));
    }
};

QTEST_GUILESS_MAIN(TestSarifReport)
#include "tst_sarifreport.moc"
