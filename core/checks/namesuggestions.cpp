#include "core/checks/namesuggestions.h"

#include <QList>

#include <algorithm>
#include <cstdlib>

namespace stagecraft {

namespace {

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

QString NameSuggestions::closest(const QString &value, const QStringList &options)
{
    m_budget -= options.size();
    if (m_budget < 0)
        return {};
    QString match;
    int best = 3;
    for (const QString &option : options) {
        if (option == value)
            return {};
        // Names whose lengths differ by more than two are more than two edits apart.
        if (std::abs(option.size() - value.size()) > 2)
            continue;
        m_budget -= qint64(option.size() + 1) * qint64(value.size() + 1);
        if (m_budget < 0)
            return {};
        const int d = editDistance(value, option);
        if (d < best) {
            best = d;
            match = option;
        }
    }
    return match;
}

} // namespace stagecraft
