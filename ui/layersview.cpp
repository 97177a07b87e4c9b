#include "ui/layersview.h"

namespace stagecraft::ui {

LayersView::LayersView(QWidget *parent)
    : QWidget(parent)
{}

LayersView::~LayersView() = default;

void LayersView::setStoreRoot(const QString &) {}
void LayersView::compare(const QStringList &) {}
void LayersView::addBuiltImage(const QString &, const QString &) {}
bool LayersView::waitUntilLoaded(int)
{
    return false;
}
void LayersView::selectLayer(const QString &, int) {}
bool LayersView::exportPng(const QString &, QString *)
{
    return false;
}

} // namespace stagecraft::ui
