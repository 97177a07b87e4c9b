#include "ui/application.h"

#include <QApplication>
#include <QMainWindow>

namespace stagecraft::ui {

int runApplication(int &argc, char **argv)
{
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Stagecraft"));
    QApplication::setOrganizationName(QStringLiteral("stagecraft"));
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Stagecraft"));
    window.resize(1280, 800);
    window.show();
    return QApplication::exec();
}

} // namespace stagecraft::ui
