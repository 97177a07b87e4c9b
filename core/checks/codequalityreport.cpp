#include "core/checks/codequalityreport.h"

#include "core/checks/sarifreport.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace stagecraft {

QString CodeQualityReport::severity(Severity severity)
{
    // An error fails the build; a warning is worth fixing; info is a remark.
    switch (severity) {
    case Severity::Error: return QStringLiteral("blocker");
    case Severity::Warning: return QStringLiteral("major");
    case Severity::Info: return QStringLiteral("info");
    }
    return QStringLiteral("major");
}

QString CodeQualityReport::fingerprint(const Diagnostic &diagnostic, const QString &path)
{
    // Fields joined with a byte no field holds, so ("a", "b:c") and ("a:b", "c") differ.
    QByteArray key = SarifReport::ruleId(diagnostic).toUtf8();
    for (const QByteArray &field :
         {path.toUtf8(), QByteArray::number(diagnostic.range.start.line), diagnostic.message.toUtf8()}) {
        key += '\0';
        key += field;
    }
    return QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex());
}

QByteArray CodeQualityReport::make(const Diagnostics &diagnostics, const QString &path)
{
    QString p = path;
    p.replace(QLatin1Char('\\'), QLatin1Char('/'));
    QJsonArray issues;
    for (const Diagnostic &d : diagnostics) {
        // GitLab needs a line; a finding without a place (a bad --target) belongs to line 1.
        const int line = d.range.isValid() ? d.range.start.line : 1;
        issues.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("issue")},
            {QStringLiteral("description"), d.message},
            {QStringLiteral("check_name"), SarifReport::ruleId(d)},
            {QStringLiteral("fingerprint"), fingerprint(d, p)},
            {QStringLiteral("severity"), severity(d.severity)},
            {QStringLiteral("location"),
             QJsonObject{{QStringLiteral("path"), p},
                         {QStringLiteral("lines"), QJsonObject{{QStringLiteral("begin"), line}}}}},
        });
    }
    return QJsonDocument(issues).toJson(QJsonDocument::Indented);
}

} // namespace stagecraft
