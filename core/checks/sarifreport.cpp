#include "core/checks/sarifreport.h"

#include "core/checks/buildchecks.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace stagecraft {

namespace {

const char kDockerfileError[] = "DockerfileError";

QString level(Severity severity)
{
    switch (severity) {
    case Severity::Error: return QStringLiteral("error");
    case Severity::Warning: return QStringLiteral("warning");
    case Severity::Info: return QStringLiteral("note");
    }
    return QStringLiteral("warning");
}

QJsonObject text(const QString &value)
{
    return QJsonObject{{QStringLiteral("text"), value}};
}

// Our rules' documentation is docs/checks.md in the repository; BuildKit's is on its site.
QString helpUri(const BuildCheckRule &rule)
{
    if (rule.url.startsWith(QLatin1String("docs/")))
        return SarifReport::informationUri() + QStringLiteral("/blob/main/") + rule.url;
    return rule.url;
}

QJsonObject ruleObject(const BuildCheckRule &rule)
{
    const QString id = rule.isStagecraft() ? rule.id : rule.name;
    const QString uri = helpUri(rule);
    QString full = rule.description;
    if (!full.endsWith(QLatin1Char('.')))
        full += QLatin1Char('.');
    if (rule.experimental)
        full += QStringLiteral(" Experimental: reported only when `# check=experimental=%1` enables it.")
                    .arg(rule.name);
    QJsonArray tags{rule.isStagecraft() ? QStringLiteral("stagecraft") : QStringLiteral("buildkit")};
    if (rule.experimental)
        tags.append(QStringLiteral("experimental"));
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), rule.name},
        {QStringLiteral("shortDescription"), text(rule.description)},
        {QStringLiteral("fullDescription"), text(full)},
        {QStringLiteral("help"), text(QStringLiteral("%1 See %2").arg(full, uri))},
        {QStringLiteral("helpUri"), uri},
        {QStringLiteral("defaultConfiguration"),
         QJsonObject{{QStringLiteral("level"), level(rule.severity)}}},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("tags"), tags}}},
    };
}

QJsonObject dockerfileErrorRule()
{
    const QString description = QStringLiteral(
        "The Dockerfile cannot be read or planned: a syntax error, a stage that does not exist, a "
        "circular dependency or a variable expansion past its limits");
    const QString uri = SarifReport::informationUri() + QStringLiteral("/blob/main/docs/checks.md");
    return QJsonObject{
        {QStringLiteral("id"), QLatin1String(kDockerfileError)},
        {QStringLiteral("name"), QLatin1String(kDockerfileError)},
        {QStringLiteral("shortDescription"), text(description)},
        {QStringLiteral("fullDescription"), text(description + QStringLiteral(". The build would fail."))},
        {QStringLiteral("help"), text(description + QStringLiteral(". See ") + uri)},
        {QStringLiteral("helpUri"), uri},
        {QStringLiteral("defaultConfiguration"),
         QJsonObject{{QStringLiteral("level"), QStringLiteral("error")}}},
    };
}

// A SARIF region (1-based, end column exclusive, as SourceRange is), or nothing when the
// place is unknown. An end before the start is left out rather than written wrong.
std::optional<QJsonObject> region(const SourceRange &range)
{
    if (!range.isValid() || range.start.column < 1)
        return std::nullopt;
    QJsonObject r{{QStringLiteral("startLine"), range.start.line},
                  {QStringLiteral("startColumn"), range.start.column}};
    if (range.end.line >= range.start.line && range.end.column >= 1 &&
        (range.end.line > range.start.line || range.end.column >= range.start.column)) {
        r.insert(QStringLiteral("endLine"), range.end.line);
        r.insert(QStringLiteral("endColumn"), range.end.column);
    }
    return r;
}

QJsonObject artifactLocation(const QString &uri)
{
    return QJsonObject{{QStringLiteral("uri"), uri},
                       {QStringLiteral("uriBaseId"), QStringLiteral("%SRCROOT%")}};
}

QJsonArray fixes(const QList<QuickFix> &list, const QString &uri)
{
    QJsonArray out;
    for (const QuickFix &fix : list) {
        QJsonArray replacements;
        bool complete = true;
        for (const TextEdit &edit : fix.edits) {
            const std::optional<QJsonObject> deleted = region(edit.range);
            if (!deleted || !deleted->contains(QStringLiteral("endLine"))) {
                complete = false;
                break;
            }
            QJsonObject replacement{{QStringLiteral("deletedRegion"), *deleted}};
            if (!edit.newText.isEmpty())
                replacement.insert(QStringLiteral("insertedContent"), text(edit.newText));
            replacements.append(replacement);
        }
        // A fix that also writes a context file (a .dockerignore) or has an edit without a
        // place would be applied in part: leave it to `stagecraft check --fix`.
        if (!complete || replacements.isEmpty() || !fix.files.isEmpty())
            continue;
        out.append(QJsonObject{
            {QStringLiteral("description"), text(fix.title)},
            {QStringLiteral("artifactChanges"),
             QJsonArray{QJsonObject{{QStringLiteral("artifactLocation"), artifactLocation(uri)},
                                    {QStringLiteral("replacements"), replacements}}}},
        });
    }
    return out;
}

} // namespace

QString SarifReport::informationUri()
{
    return QStringLiteral("https://github.com/stagecraft/stagecraft");
}

QString SarifReport::ruleId(const Diagnostic &diagnostic)
{
    if (diagnostic.rule.isEmpty())
        return QLatin1String(kDockerfileError);
    if (const std::optional<BuildCheckRule> rule = BuildChecks::rule(diagnostic.rule);
        rule && rule->isStagecraft())
        return rule->id;
    return diagnostic.rule;
}

QString SarifReport::relativeUri(const QString &path)
{
    QString p = path;
    p.replace(QLatin1Char('\\'), QLatin1Char('/'));
    const qsizetype slash = p.indexOf(QLatin1Char('/'));
    const QString first = slash < 0 ? p : p.left(slash);
    if (first.contains(QLatin1Char(':')))
        p.prepend(QLatin1String("./"));
    QUrl url;
    url.setPath(p, QUrl::DecodedMode);
    return QString::fromLatin1(url.toEncoded(QUrl::FullyEncoded));
}

QByteArray SarifReport::make(const Diagnostics &diagnostics, const Input &input)
{
    QJsonArray rules;
    QHash<QString, int> ruleIndex;
    const auto addRule = [&](const QJsonObject &rule) {
        const QString id = rule.value(QStringLiteral("id")).toString();
        if (ruleIndex.contains(id))
            return;
        ruleIndex.insert(id, int(rules.size()));
        rules.append(rule);
    };
    for (const BuildCheckRule &rule : BuildChecks::rules())
        addRule(ruleObject(rule));
    for (const BuildCheckRule &rule : BuildChecks::stagecraftRules())
        addRule(ruleObject(rule));
    addRule(dockerfileErrorRule());

    const QString uri = relativeUri(input.path);
    QJsonArray results;
    for (const Diagnostic &d : diagnostics) {
        const QString id = ruleId(d);
        if (!ruleIndex.contains(id)) {
            // A rule no list knows (a newer BuildKit name): still described, never dropped.
            BuildCheckRule unknown;
            unknown.name = id;
            unknown.description = id;
            unknown.url = d.url.isEmpty() ? informationUri() : d.url;
            addRule(ruleObject(unknown));
        }
        QJsonObject physical{{QStringLiteral("artifactLocation"), artifactLocation(uri)}};
        if (const std::optional<QJsonObject> r = region(d.range))
            physical.insert(QStringLiteral("region"), *r);
        QJsonObject result{
            {QStringLiteral("ruleId"), id},
            {QStringLiteral("ruleIndex"), ruleIndex.value(id)},
            {QStringLiteral("level"), level(d.severity)},
            {QStringLiteral("message"), text(d.message)},
            {QStringLiteral("locations"),
             QJsonArray{QJsonObject{{QStringLiteral("physicalLocation"), physical}}}},
        };
        if (input.fixesFor) {
            const QJsonArray f = fixes(input.fixesFor(d), uri);
            if (!f.isEmpty())
                result.insert(QStringLiteral("fixes"), f);
        }
        results.append(result);
    }

    const QJsonObject driver{
        {QStringLiteral("name"), QStringLiteral("stagecraft")},
        {QStringLiteral("version"), input.toolVersion},
        {QStringLiteral("semanticVersion"), input.toolVersion},
        {QStringLiteral("informationUri"), informationUri()},
        {QStringLiteral("rules"), rules},
    };
    const QJsonObject run{
        {QStringLiteral("tool"), QJsonObject{{QStringLiteral("driver"), driver}}},
        // Columns count UTF-16 code units, as QString and SourceRange do.
        {QStringLiteral("columnKind"), QStringLiteral("utf16CodeUnits")},
        {QStringLiteral("results"), results},
    };
    const QJsonObject log{
        {QStringLiteral("$schema"),
         QStringLiteral(
             "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")},
        {QStringLiteral("version"), QStringLiteral("2.1.0")},
        {QStringLiteral("runs"), QJsonArray{run}},
    };
    return QJsonDocument(log).toJson(QJsonDocument::Indented);
}

} // namespace stagecraft
