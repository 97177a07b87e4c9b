#include "ui/filesview.h"

namespace stagecraft::ui {

FilesView::FilesView(QWidget *parent)
    : QWidget(parent)
{}

FilesView::~FilesView() = default;

void FilesView::setStoreRoot(const QString &) {}
void FilesView::showImage(const QString &, const QString &) {}
void FilesView::selectLayer(int) {}
bool FilesView::waitUntilLoaded(int)
{
    return false;
}

} // namespace stagecraft::ui
