#include "core/oci/digest.h"

#include <QBuffer>
#include <QTest>

using namespace stagecraft;

class TestDigest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void ofBytesAndDevice();
};

void TestDigest::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addRow("ok") << QStringLiteral(
                               "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                        << true;
    QTest::addRow("uppercase")
        << QStringLiteral("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855") << false;
    QTest::addRow("short") << QStringLiteral("sha256:e3b0") << false;
    QTest::addRow("no-algorithm") << QStringLiteral(
                                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                                  << false;
    QTest::addRow("sha512") << QStringLiteral(
                                   "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                            << false;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("non-hex") << QStringLiteral(
                                    "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                             << false;
}

void TestDigest::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    auto d = Digest::parse(text);
    QCOMPARE(d.has_value(), valid);
    if (valid) {
        QCOMPARE(d->toString(), text);
        QCOMPARE(d->hex().size(), 64);
    } else {
        QVERIFY(!d.error().message.isEmpty());
    }
}

void TestDigest::ofBytesAndDevice()
{
    QCOMPARE(Digest::ofBytes({}).toString(),
             QStringLiteral("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QByteArray big(300000, 'x');
    QBuffer buffer(&big);
    buffer.open(QIODevice::ReadOnly);
    qint64 size = 0;
    auto d = Digest::ofDevice(&buffer, &size);
    QVERIFY(d);
    QCOMPARE(size, big.size());
    QCOMPARE(*d, Digest::ofBytes(big));
}

QTEST_GUILESS_MAIN(TestDigest)
#include "tst_digest.moc"
