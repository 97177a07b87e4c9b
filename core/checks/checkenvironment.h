// The variables the build checks see in a stage, in definition order (UndefinedVar's
// suggestions follow that order, as BuildKit's do). The checks keep their own rather than
// the plan's StageScope: BuildKit's linter takes an external base image to define only PATH
// (or what BuildCheckOptions::baseImageEnv says), where the plan leaves such references open.
#pragma once

#include "core/dockerfile/shelllex.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace stagecraft {

class CheckEnvironment
{
public:
    std::optional<QString> get(const QString &key) const
    {
        const auto it = m_index.constFind(key);
        if (it == m_index.constEnd())
            return std::nullopt;
        return m_vars.at(*it).second;
    }
    void set(const QString &key, const QString &value)
    {
        const auto it = m_index.constFind(key);
        if (it != m_index.constEnd()) {
            m_vars[*it].second = value;
            return;
        }
        m_index.insert(key, m_vars.size());
        m_vars.append({key, value});
    }
    qsizetype size() const { return m_vars.size(); }
    QStringList keys() const
    {
        QStringList out;
        out.reserve(m_vars.size());
        for (const auto &kv : m_vars)
            out.append(kv.first);
        return out;
    }
    ShellLex::EnvLookup lookup() const
    {
        return [this](const QString &name) { return get(name); };
    }

private:
    QList<std::pair<QString, QString>> m_vars;
    QHash<QString, qsizetype> m_index; // key → its place in m_vars
};

} // namespace stagecraft
