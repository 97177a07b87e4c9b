// Paints the syntax tokens core/dockerfile computes for each line; the tokenizer's state
// travels from block to block like QSyntaxHighlighter's block state.
#pragma once

#include "core/dockerfile/syntaxtokens.h"

#include <QHash>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace stagecraft::ui {

class DockerfileHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit DockerfileHighlighter(QTextDocument *document);

    // Chooses colours that read well on this palette's base colour, then repaints.
    void setPalette(const QPalette &palette);
    bool isDark() const { return m_dark; }
    QTextCharFormat format(SyntaxTokenKind kind) const { return m_formats.value(kind); }

    // The tokenizer state at the start of a block (what the previous block ended in).
    static SyntaxState stateBefore(const QTextBlock &block);

protected:
    void highlightBlock(const QString &text) override;

private:
    void buildFormats();

    bool m_dark = false;
    QHash<SyntaxTokenKind, QTextCharFormat> m_formats;
};

} // namespace stagecraft::ui
