// ClassroomKit's check, on plain values: which examples a kit covers, which steps of the
// others have no cached result (by line and instruction) and whether they would only run
// or would need the network; base images the store has count as present.
#include "core/kit/classroomkit.h"

#include <QJsonArray>
#include <QTest>

using namespace stagecraft;

namespace {

QString key(char c)
{
    return QString(64, QLatin1Char(c));
}

Digest digest(char c)
{
    return *Digest::parse(QStringLiteral("sha256:") + QString(64, QLatin1Char(c)));
}

// A stage entry whose layers are `layers` (digest, size), each its own diff ID.
QJsonObject entry(const QList<std::pair<char, qint64>> &layers)
{
    QJsonArray descriptors;
    QJsonArray diffIds;
    for (const auto &[c, size] : layers) {
        Descriptor d;
        d.mediaType = QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
        d.digest = digest(c);
        d.size = size;
        descriptors.append(d.toJson());
        diffIds.append(digest(c).toString());
    }
    QJsonObject config{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}}};
    return QJsonObject{{QStringLiteral("config"), config}, {QStringLiteral("layers"), descriptors}};
}

} // namespace

class TestClassroomKit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mayNeedNetwork_data()
    {
        QTest::addColumn<QString>("instruction");
        QTest::addColumn<bool>("network");
        const auto row = [](const char *name, const char *text, bool network) {
            QTest::addRow("%s", name) << QString::fromUtf8(text) << network;
        };
        row("apt-get", "RUN apt-get update && apt-get install -y golang-go", true);
        row("apt-path-only", "RUN rm -rf /var/lib/apt/lists/*", false);
        row("apk", "RUN apk add --no-cache git", true);
        row("pip", "RUN pip install -r requirements.txt", true);
        row("npm", "RUN npm ci", true);
        row("go-mod-download", "RUN go mod download", true);
        row("go-vet", "RUN go vet ./...", false);
        row("curl-by-path", "RUN /usr/bin/curl -fsSL https://example.org/x -o /x", true);
        row("wget-in-subshell", "RUN (wget -q https://example.org/x)", true);
        row("git-clone", "RUN git clone https://example.org/r.git", true);
        row("git-log", "RUN git log -1 > /rev", false);
        row("network-none", "RUN --network=none apt-get install -y ./local.deb", false);
        row("plain-run", "RUN mkdir -p /opt/app && echo hi > /opt/app/x", false);
        row("curly-word", "RUN echo curling > /x", false);
        row("add-url", "ADD https://example.org/a.tar.gz /a.tar.gz", true);
        row("add-git", "ADD git@example.org:r.git /src", true);
        row("add-local", "ADD app.tar.gz /opt/", false);
        row("copy", "COPY . /src", false);
        row("env", "ENV PATH=/usr/local/go/bin:$PATH", false);
    }

    void mayNeedNetwork()
    {
        QFETCH(QString, instruction);
        QFETCH(bool, network);
        QCOMPARE(ClassroomKit::mayNeedNetwork(instruction), network);
    }

    void coverageNamesTheStepsThatWouldRun()
    {
        CacheIndex cache;
        cache.entries.insert(key('1'), entry({{'b', 700}, {'c', 300}}));
        cache.entries.insert(key('3'), entry({{'b', 700}, {'c', 300}, {'e', 50}}));
        cache.entries.insert(key('5'), entry({{'b', 700}, {'f', 20}}));

        KitExample lesson;
        lesson.name = QStringLiteral("lesson");
        lesson.images = {QStringLiteral("debian:bookworm")};
        lesson.steps = 3;
        lesson.plan = {{key('1'), 0, 2, QStringLiteral("RUN mkdir /x")},
                       {key('2'), 0, 3, QStringLiteral("RUN apt-get install -y golang-go")},
                       {key('3'), 0, 4, QStringLiteral("COPY . /src")},
                       {key('4'), 0, 5, QStringLiteral("RUN go vet ./...")}};
        KitExample covered;
        covered.name = QStringLiteral("covered");
        covered.images = {QStringLiteral("debian:bookworm"), QStringLiteral("golang:1.22")};
        covered.plan = {{key('5'), 0, 2, QStringLiteral("RUN true")}};
        KitExample old; // a kit that named only the keys
        old.name = QStringLiteral("old");
        old.keys = {key('1'), key('9'), QStringLiteral("link-") + key('8')};

        const QSet<QString> kitImages{QStringLiteral("debian:bookworm")};
        const QSet<Digest> base{digest('b')};

        // Without a store: golang:1.22 is neither in the kit nor anywhere else.
        QList<KitCoverage> c = ClassroomKit::coverageOf({lesson, covered, old}, cache, kitImages, base);
        QCOMPARE(c.size(), 3);
        QCOMPARE(c[0].example, QStringLiteral("lesson"));
        QVERIFY(!c[0].covered());
        QCOMPARE(c[0].missingSteps, 2);
        QCOMPARE(c[0].steps.size(), 2);
        QCOMPARE(c[0].steps[0].line, 3);
        QCOMPARE(c[0].steps[0].instruction, QStringLiteral("RUN apt-get install -y golang-go"));
        QVERIFY(c[0].steps[0].needsNetwork);
        QCOMPARE(c[0].steps[1].line, 5);
        QVERIFY(!c[0].steps[1].needsNetwork);
        QVERIFY(c[0].needsNetwork());
        QCOMPARE(c[0].cacheBytes, 300 + 50); // its own layers, each once, not the base's
        QCOMPARE(c[1].missingImages, QStringList{QStringLiteral("golang:1.22")});
        QVERIFY(!c[1].covered());
        QVERIFY(c[1].needsNetwork());
        QCOMPARE(c[2].missingSteps, 1); // the link- key is not a step of its own
        QVERIFY(c[2].steps.isEmpty());
        QVERIFY(!c[2].needsNetwork());

        // Checked against a store that has golang:1.22: that example is covered.
        c = ClassroomKit::coverageOf({covered}, cache, kitImages, base, [](const QString &image) {
            return image == QLatin1String("golang:1.22");
        });
        QVERIFY(c[0].covered());
        QCOMPARE(c[0].cacheBytes, 20);
    }
};

QTEST_GUILESS_MAIN(TestClassroomKit)
#include "tst_classroomkit.moc"
