// "Did you mean $FOO?": BuildKit's suggest.Search over the names in scope, with a budget so
// that a file naming tens of thousands of undefined variables among tens of thousands of
// defined ones cannot spend minutes on suggestions.
#pragma once

#include <QString>
#include <QStringList>

namespace stagecraft {

class NameSuggestions
{
public:
    // Edit-distance cells one check run may spend. Ordinary files use a tiny fraction;
    // past it, no more suggestions.
    static constexpr qint64 kBudget = qint64(16) << 20;

    // The closest option within edit distance 2; nothing when `value` itself is an option
    // or the budget (options looked at plus cells of the edit-distance table) is spent.
    QString closest(const QString &value, const QStringList &options);
    // Whether listing `count` names is still worth it: listing costs as much as looking.
    bool canAfford(qsizetype count) const { return m_budget >= count; }

private:
    qint64 m_budget = kBudget;
};

} // namespace stagecraft
