// While presenting, the gutter has no room for the last build's badges ("+4.3 MB",
// "aus dem Cache") beside sixty columns of code at 1024 pixels: this draws each badge at
// the right edge of the code, on its instruction's last line, where a Dockerfile's short
// lines leave room. A badge that would cover code is left out; hovering the line's number
// still tells what the build did.
#pragma once

#include <QPointer>
#include <QWidget>

namespace stagecraft::ui {

class DockerfileEditor;

class LineEndBadges : public QWidget
{
    Q_OBJECT

public:
    // Lies over the editor's viewport, which it follows; mouse events go through.
    explicit LineEndBadges(DockerfileEditor *editor);

    // How many badges the last paint drew (for tests).
    int drawnCount() const { return m_drawn; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    DockerfileEditor *m_editor;
    QPointer<QWidget> m_viewport; // the editor's viewport, whose moves the badges follow
    int m_drawn = 0;
};

} // namespace stagecraft::ui
