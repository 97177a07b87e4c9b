#include "ui/runchoices.h"

#include <QSettings>

#include <algorithm>

namespace stagecraft::ui {

namespace {

QString settingsGroup(const QString &imageKey)
{
    // A Dockerfile's path holds slashes, which QSettings would read as nested groups.
    return QStringLiteral("run/") + QString::fromLatin1(imageKey.toUtf8().toBase64(
                                        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

std::optional<RunChoices> RunChoices::load(const QString &imageKey)
{
    QSettings settings;
    settings.beginGroup(settingsGroup(imageKey));
    if (!settings.contains(QStringLiteral("terminal")))
        return std::nullopt;
    RunChoices choices;
    choices.ports = settings.value(QStringLiteral("ports")).toStringList();
    choices.env = settings.value(QStringLiteral("env")).toStringList();
    choices.command = settings.value(QStringLiteral("command")).toString();
    choices.terminal = settings.value(QStringLiteral("terminal")).toBool();
    return choices;
}

void RunChoices::save(const QString &imageKey) const
{
    QSettings settings;
    settings.beginGroup(settingsGroup(imageKey));
    settings.setValue(QStringLiteral("ports"), ports);
    settings.setValue(QStringLiteral("env"), env);
    settings.setValue(QStringLiteral("command"), command);
    settings.setValue(QStringLiteral("terminal"), terminal);
}

QStringList RunChoices::portsFromExposed(const QStringList &exposedPorts)
{
    // An image config keeps them as object keys, sorted as text ("3000/tcp" before
    // "80/tcp"); people read ports in numeric order.
    QStringList sorted = exposedPorts;
    std::stable_sort(sorted.begin(), sorted.end(), [](const QString &a, const QString &b) {
        return a.section(u'/', 0, 0).toUInt() < b.section(u'/', 0, 0).toUInt();
    });
    QStringList ports;
    for (const QString &exposed : std::as_const(sorted)) {
        const QString protocol = exposed.section(u'/', 1);
        bool ok = false;
        const uint port = exposed.section(u'/', 0, 0).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            continue;
        const uint host = port > 1024 ? port : 8000 + port;
        ports.append(QStringLiteral("%1:%2%3").arg(host).arg(port).arg(
            protocol == u"udp" ? QStringLiteral("/udp") : QString()));
    }
    return ports;
}

std::optional<QStringList> RunChoices::splitCommand(const QString &text)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote; // the open quote, or null
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quote == u'\'') {
            if (c == u'\'')
                quote = QChar();
            else
                word += c;
        } else if (quote == u'"') {
            if (c == u'"')
                quote = QChar();
            else if (c == u'\\' && i + 1 < text.size() && QStringLiteral("\"\\$`").contains(text[i + 1]))
                word += text[++i];
            else
                word += c;
        } else if (c == u'\'' || c == u'"') {
            quote = c;
            inWord = true;
        } else if (c == u'\\' && i + 1 < text.size()) {
            word += text[++i];
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (!quote.isNull())
        return std::nullopt;
    if (inWord)
        words.append(word);
    return words;
}

Expected<ContainerOptions> RunChoices::containerOptions(const QString &image) const
{
    ContainerOptions options;
    options.image = image;
    for (const QString &port : ports) {
        Expected<PortForward> forward = PortForward::parse(port);
        if (!forward)
            return fail(forward.error().message);
        options.ports.append(*forward);
    }
    for (const QString &variable : env) {
        if (variable.section(u'=', 0, 0).trimmed().isEmpty() || !variable.contains(u'='))
            return fail(QStringLiteral("%1: give NAME=value").arg(variable));
        options.env.append(variable);
    }
    const std::optional<QStringList> words = splitCommand(command);
    if (!words)
        return fail(QStringLiteral("%1: a quote is not closed").arg(command));
    options.command = *words;
    return options;
}

} // namespace stagecraft::ui
