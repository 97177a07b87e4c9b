#include "ui/dockerfilehighlighter.h"

#include "ui/theme.h"

#include <QGuiApplication>
#include <QTextBlockUserData>

namespace stagecraft::ui {

namespace {

class BlockState : public QTextBlockUserData
{
public:
    explicit BlockState(SyntaxState state)
        : m_state(std::move(state))
    {}
    SyntaxState m_state;
};

} // namespace

DockerfileHighlighter::DockerfileHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    m_dark = Theme::isDark(QGuiApplication::palette());
    buildFormats();
}

void DockerfileHighlighter::setPalette(const QPalette &palette)
{
    const bool dark = Theme::isDark(palette);
    if (dark == m_dark && !m_formats.isEmpty())
        return;
    m_dark = dark;
    buildFormats();
    rehighlight();
}

void DockerfileHighlighter::buildFormats()
{
    // Two hand-picked sets with enough contrast on white and on near-black; the hues
    // stay the same so a class switching themes still recognises them.
    struct Style
    {
        SyntaxTokenKind kind;
        QColor light;
        QColor dark;
        bool bold = false;
        bool italic = false;
    };
    const Style styles[] = {
        {SyntaxTokenKind::Keyword, QColor(0x0b, 0x4f, 0xae), QColor(0x79, 0xb8, 0xff), true},
        {SyntaxTokenKind::Flag, QColor(0x6f, 0x42, 0xc1), QColor(0xd2, 0xa8, 0xff)},
        {SyntaxTokenKind::Variable, QColor(0x95, 0x38, 0x00), QColor(0xff, 0xa6, 0x57)},
        {SyntaxTokenKind::String, QColor(0x11, 0x6b, 0x29), QColor(0x7e, 0xe7, 0x87)},
        {SyntaxTokenKind::Comment, QColor(0x6a, 0x73, 0x7d), QColor(0x8b, 0x94, 0x9e), false, true},
        {SyntaxTokenKind::Heredoc, QColor(0x0a, 0x5c, 0x66), QColor(0x76, 0xd9, 0xe6)},
        {SyntaxTokenKind::StageName, QColor(0xb3, 0x1d, 0x28), QColor(0xff, 0x9b, 0x94), true},
        {SyntaxTokenKind::Directive, QColor(0x8a, 0x4b, 0x08), QColor(0xe3, 0xb3, 0x41), false, true},
        {SyntaxTokenKind::Escape, QColor(0x6a, 0x73, 0x7d), QColor(0x8b, 0x94, 0x9e), true},
    };
    m_formats.clear();
    for (const Style &s : styles) {
        QTextCharFormat f;
        f.setForeground(m_dark ? s.dark : s.light);
        if (s.bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(s.italic);
        m_formats.insert(s.kind, f);
    }
}

SyntaxState DockerfileHighlighter::stateBefore(const QTextBlock &block)
{
    const QTextBlock previous = block.previous();
    if (previous.isValid())
        if (auto *data = dynamic_cast<BlockState *>(previous.userData()))
            return data->m_state;
    return {};
}

void DockerfileHighlighter::highlightBlock(const QString &text)
{
    const SyntaxLine line = SyntaxTokenizer::tokenizeLine(text, stateBefore(currentBlock()));
    for (const SyntaxToken &token : line.tokens)
        setFormat(token.start, token.length, m_formats.value(token.kind));
    setCurrentBlockUserData(new BlockState(line.state));
    setCurrentBlockState(line.state.hash());
}

} // namespace stagecraft::ui
