// The window tests run in English and in German: this installs the program's German
// translation and a German default locale (number formats) for one test's lifetime.
#pragma once

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace stagecraft::test {

class GermanLocale
{
public:
    explicit GermanLocale(bool on)
    {
        if (on && m_translator.load(QStringLiteral(":/i18n/stagecraft_de.qm"))) {
            QCoreApplication::installTranslator(&m_translator);
            QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
            m_installed = true;
        }
    }
    ~GermanLocale()
    {
        if (m_installed)
            QCoreApplication::removeTranslator(&m_translator);
        QLocale::setDefault(QLocale::c());
    }
    GermanLocale(const GermanLocale &) = delete;
    GermanLocale &operator=(const GermanLocale &) = delete;
    bool installed() const { return m_installed; }

private:
    QTranslator m_translator;
    bool m_installed = false;
};

} // namespace stagecraft::test
