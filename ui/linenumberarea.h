// The gutter left of the editor: line numbers, the current line in bold, lines with a
// problem marked in the problem's colour, and after a build each instruction's layer
// badge. The editor owns the painting logic's data.
#pragma once

#include <QWidget>

namespace stagecraft::ui {

class DockerfileEditor;

class LineNumberArea : public QWidget
{
    Q_OBJECT

public:
    explicit LineNumberArea(DockerfileEditor *editor);
    QSize sizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    DockerfileEditor *m_editor;
};

} // namespace stagecraft::ui
