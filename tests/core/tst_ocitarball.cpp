// OciTarball against the tarballs a hostile builder (or a file put in its place) could
// hand over: every member that is not one of the layout's files is refused with a clear
// error, and nothing is written outside the destination.
#include "core/engine/ocitarball.h"
#include "core/store/imagestore.h"

#include "synthimage.h"

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using fixtures::TarEntry;

namespace {

const QString kBlob = QStringLiteral("blobs/sha256/") + QString(64, QLatin1Char('a'));
const QByteArray kLayoutFile = R"({"imageLayoutVersion":"1.0.0"})";

// The members of the OCI layout `dir` as BuildKit's exporter writes them: the two blob
// directories, then the files.
QList<TarEntry> layoutMembers(const QString &dir)
{
    QList<TarEntry> members{TarEntry(QStringLiteral("blobs/"), 'd', {}, {}, 0755),
                            TarEntry(QStringLiteral("blobs/sha256/"), 'd', {}, {}, 0755)};
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            members << TarEntry(QDir(dir).relativeFilePath(path), 'f', f.readAll());
    }
    return members;
}

// A one-layer image written as an OCI layout into `dir`, and its members; none on failure.
QList<TarEntry> oneLayerImage(const QString &dir)
{
    if (fixtures::writeOciImage(dir, {{TarEntry(QStringLiteral("hello"), 'f', "hi")}}).isEmpty())
        return {};
    return layoutMembers(dir);
}

// Everything under `root` but `except`, by relative name, type and content: what a run
// must leave as it was.
QStringList snapshot(const QString &root, const QString &except)
{
    QStringList entries;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path == except || path.startsWith(except + QLatin1Char('/')))
            continue;
        const QFileInfo info(path);
        QString entry = QDir(root).relativeFilePath(path);
        if (info.isSymLink())
            entry += QStringLiteral(" -> ") + info.symLinkTarget();
        else if (info.isFile()) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            entry += QStringLiteral(" = ") + QString::fromLatin1(f.readAll().toHex());
        }
        entries << entry;
    }
    entries.sort();
    return entries;
}

// Only regular files and directories under `dir`: no member made a link or device there.
bool onlyFilesAndDirectories(const QString &dir)
{
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        if (info.isSymLink() || !(info.isFile() || info.isDir()))
            return false;
    }
    return true;
}

QByteArray manyMembers(int count)
{
    const QByteArray header = fixtures::ustarHeader("notes.txt", '0', 0);
    QByteArray tar;
    tar.reserve(qsizetype(count) * 512 + 1024);
    for (int i = 0; i < count; ++i)
        tar += header;
    return tar + QByteArray(1024, '\0');
}

} // namespace

class TestOciTarball : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unpacksBuildKitsLayout();
    void contentIsVerifiedByTheStore();
    void refusesHostileTarballs_data();
    void refusesHostileTarballs();

private:
    // `bytes` as the tarball `name`; its path, empty when it could not be written.
    QString saved(const QString &name, const QByteArray &bytes)
    {
        QFile file(m_files.filePath(name));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
            return {};
        return file.fileName();
    }

    QTemporaryDir m_files;   // the tarballs, away from the destinations' parents
    QTemporaryDir m_parents; // a destination's parent per data row, named after it
};

void TestOciTarball::unpacksBuildKitsLayout()
{
    QTemporaryDir source;
    QList<TarEntry> members = oneLayerImage(source.path());
    QVERIFY(!members.isEmpty());
    members.prepend(TarEntry(QStringLiteral("./"), 'd', {}, {}, 0755));
    members << TarEntry(QStringLiteral("manifest.json"), 'f', "[]"); // docker-compatible extra, dropped
    const QString tarPath = saved(QStringLiteral("good.tar"), fixtures::makeTar(members));
    QVERIFY(!tarPath.isEmpty());

    QTemporaryDir parent;
    const QString dest = parent.filePath(QStringLiteral("result.oci"));
    const Expected<void> unpacked = OciTarball::extract(tarPath, dest);
    QVERIFY2(unpacked, qPrintable(unpacked ? QString() : unpacked.error().message));
    QVERIFY(!QFile::exists(dest + QStringLiteral("/manifest.json")));
    QCOMPARE(snapshot(dest, dest + QStringLiteral("/manifest.json")),
             snapshot(source.path(), source.path() + QStringLiteral("/manifest.json")));

    QTemporaryDir storeDir;
    auto store = ImageStore::open(storeDir.path());
    QVERIFY(store);
    const auto names = store->import(dest, QStringLiteral("built:latest"));
    QVERIFY2(names, qPrintable(names ? QString() : names.error().message));
    QVERIFY(store->image(QStringLiteral("built:latest")));
}

// The names are checked here; the content against them by the store's import, which
// hashes every blob: a blob whose name is not its digest never reaches the store.
void TestOciTarball::contentIsVerifiedByTheStore()
{
    QTemporaryDir source;
    QList<TarEntry> members = oneLayerImage(source.path());
    QVERIFY(!members.isEmpty());
    // The largest blob is the layer: one byte of it changed, its name kept.
    auto layer = std::max_element(members.begin(), members.end(), [](const TarEntry &x, const TarEntry &y) {
        return x.content.size() < y.content.size();
    });
    QVERIFY(layer->path.startsWith(QLatin1String("blobs/sha256/")));
    layer->content[layer->content.size() / 2] = char(layer->content[layer->content.size() / 2] ^ 1);
    const QString tarPath = saved(QStringLiteral("tampered.tar"), fixtures::makeTar(members));
    QVERIFY(!tarPath.isEmpty());

    QTemporaryDir parent;
    const QString dest = parent.filePath(QStringLiteral("result.oci"));
    QVERIFY(OciTarball::extract(tarPath, dest));
    QTemporaryDir storeDir;
    auto store = ImageStore::open(storeDir.path());
    QVERIFY(store);
    const auto names = store->import(dest, QStringLiteral("built:latest"));
    QVERIFY(!names);
    QVERIFY2(names.error().message.contains(QLatin1String("corrupt")), qPrintable(names.error().message));
    QVERIFY(!store->resolve(QStringLiteral("built:latest")));
}

void TestOciTarball::refusesHostileTarballs_data()
{
    QTest::addColumn<QByteArray>("tarball");
    QTest::addColumn<QString>("error");

    const TarEntry layout(QStringLiteral("oci-layout"), 'f', kLayoutFile);
    const auto tar = [&](QList<TarEntry> members) {
        members.prepend(layout);
        return fixtures::makeTar(members);
    };
    // The destination is `<row>/result.oci` in m_parents; these names point into `<row>`.
    QTest::newRow("dot-dot") << tar({TarEntry(QStringLiteral("../escaped"), 'f', "x")})
                             << QStringLiteral("outside the layout");
    QTest::newRow("dot-dot inside blobs")
        << tar({TarEntry(QStringLiteral("blobs/sha256/../../../escaped"), 'f', "x")})
        << QStringLiteral("outside the layout");
    QTest::newRow("absolute") << tar({TarEntry(m_parents.filePath(QStringLiteral("absolute/escaped")), 'f',
                                               "x")})
                              << QStringLiteral("outside the layout");
    QTest::newRow("symlink blob") << tar({TarEntry(kBlob, 'l', {}, QStringLiteral("/etc/passwd"))})
                                  << QStringLiteral("not a regular file");
    QTest::newRow("symlink index") << tar({TarEntry(QStringLiteral("index.json"), 'l', {},
                                                    QStringLiteral("../escaped"))})
                                   << QStringLiteral("not a regular file");
    QTest::newRow("symlink blobs dir")
        << fixtures::makeTar({TarEntry(QStringLiteral("blobs"), 'l', {}, QStringLiteral("..")), layout})
        << QStringLiteral("not a regular file");
    QTest::newRow("hardlink") << tar({TarEntry(kBlob, 'h', {}, QStringLiteral("/etc/passwd"))})
                              << QStringLiteral("not a regular file");
    QTest::newRow("char device") << fixtures::makeTar({TarEntry(QStringLiteral("oci-layout"), 'c')})
                                 << QStringLiteral("not a regular file");
    QTest::newRow("fifo") << tar({TarEntry(QStringLiteral("index.json"), 'p')})
                          << QStringLiteral("not a regular file");
    QTest::newRow("other directory") << tar({TarEntry(QStringLiteral("etc/"), 'd', {}, {}, 0755)})
                                     << QStringLiteral("has no directory etc/");
    QTest::newRow("not a blob name") << tar({TarEntry(QStringLiteral("blobs/sha256/ABC"), 'f', "x")})
                                     << QStringLiteral("not a blob name");
    QTest::newRow("other algorithm")
        << tar({TarEntry(QStringLiteral("blobs/md5/") + QString(32, QLatin1Char('a')), 'f', "x")})
        << QStringLiteral("not a blob name");
    QTest::newRow("member twice") << tar({TarEntry(QStringLiteral("index.json"), 'f', "{}"),
                                          TarEntry(QStringLiteral("index.json"), 'f', "{\"manifests\":[]}")})
                                  << QStringLiteral("given twice");
    // 100 GiB claimed in the header (64 GiB is the bound; base-256, as octal stops at 8 GiB),
    // a little of it present.
    const auto claim100GiB = [](QByteArray &header) {
        const quint64 size = 100ULL << 30;
        header[124] = char(0x80);
        for (int i = 0; i < 11; ++i)
            header[135 - i] = i < 8 ? char((size >> (8 * i)) & 0xff) : '\0';
    };
    QTest::newRow("oversized member")
        << fixtures::makeTar({layout}).left(1024) +
               fixtures::ustarHeader(kBlob.toUtf8(), '0', 0, claim100GiB) + QByteArray(1 << 16, 'x')
        << QStringLiteral("claims 107374182400 bytes");
    QTest::newRow("too many members")
        << manyMembers(OciTarball::kMaxMembers + 1) << QStringLiteral("more than 100000 members");
    const QByteArray whole = tar({TarEntry(kBlob, 'f', QByteArray(8192, 'b'))});
    QTest::newRow("truncated in a blob") << whole.left(whole.indexOf(QByteArray(8192, 'b')) + 3000)
                                         << QString(QStringLiteral("cannot read ") + kBlob);
    QTest::newRow("truncated in a header")
        << whole.left(whole.indexOf(QByteArray(8192, 'b')) - 200) << QStringLiteral("not an OCI");
    QByteArray garbage(4096, '\0');
    for (int i = 0; i < garbage.size(); ++i)
        garbage[i] = char((i * 7919 + 13) % 251);
    QTest::newRow("garbage") << garbage << QStringLiteral("not an OCI layout tarball");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not an OCI layout tarball");
    QTest::newRow("no oci-layout") << fixtures::makeTar({TarEntry(QStringLiteral("index.json"), 'f', "{}")})
                                   << QStringLiteral("holds no oci-layout file");
}

void TestOciTarball::refusesHostileTarballs()
{
    QFETCH(QByteArray, tarball);
    QFETCH(QString, error);

    const QDir parent(m_parents.filePath(QString::fromUtf8(QTest::currentDataTag())));
    QVERIFY(parent.mkpath(QStringLiteral(".")));
    QFile sentinel(parent.filePath(QStringLiteral("sentinel")));
    QVERIFY(sentinel.open(QIODevice::WriteOnly));
    sentinel.write("left alone");
    sentinel.close();
    const QString tarPath = saved(QStringLiteral("hostile.tar"), tarball);
    QVERIFY(!tarPath.isEmpty());
    const QString dest = parent.filePath(QStringLiteral("result.oci"));
    const QStringList before = snapshot(parent.path(), dest);

    const Expected<void> unpacked = OciTarball::extract(tarPath, dest);
    QVERIFY(!unpacked);
    QVERIFY2(unpacked.error().message.contains(error), qPrintable(unpacked.error().message));
    QVERIFY2(unpacked.error().message.contains(tarPath), qPrintable(unpacked.error().message));
    QCOMPARE(snapshot(parent.path(), dest), before);
    QVERIFY(onlyFilesAndDirectories(dest));
}

QTEST_GUILESS_MAIN(TestOciTarball)
#include "tst_ocitarball.moc"
