// A generated Dockerfile of 500 stages and 5,000 lines, for the stage graph test and the
// parse+graph benchmark: FROM chains, COPY --from and RUN --mount=from= edges, heredocs.
#pragma once

#include <QString>

namespace stagecraft::bench {

inline QString largeDockerfile(int stageCount = 500)
{
    QString text;
    text.reserve(stageCount * 400);
    text += QStringLiteral("# syntax=docker/dockerfile:1\n"
                           "ARG BASE=alpine:3.20\n"
                           "ARG GO_VERSION=1.22\n"
                           "ARG TOOLCHAIN=golang:${GO_VERSION}-alpine\n");
    for (int i = 0; i < stageCount; ++i) {
        const QString n = QString::number(i);
        // Every 25th stage starts from an image; the others build on one of the three
        // stages before them, so the graph is deep and wide at once.
        QString base;
        if (i % 25 == 0)
            base = i % 50 == 0 ? QStringLiteral("${BASE}") : QStringLiteral("$TOOLCHAIN");
        else
            base = QStringLiteral("s%1").arg(i - 1 - i % 3);
        const int copyFrom = i >= 5 ? i - 5 : -1;
        const int mountFrom = i >= 10 ? i - 10 : -1;
        text += QStringLiteral("FROM %1 AS s%2\n").arg(base, n);                            // 1
        text += QStringLiteral("ARG VERSION_%1=1.%1.0\n").arg(n);                           // 2
        text += QStringLiteral("ENV APP_%1=\"value %1\" PATH=/opt/s%1/bin:$PATH\n").arg(n); // 3
        text += QStringLiteral("WORKDIR /src/s%1\n").arg(n);                                // 4
        if (copyFrom >= 0)                                                                  // 5
            text += QStringLiteral("COPY --link --from=s%1 /out/lib /usr/lib/s%2\n").arg(copyFrom).arg(n);
        else
            text += QStringLiteral("COPY --from=busybox:1.36 /bin/busybox /bin/busybox\n");
        if (mountFrom >= 0) // 6
            text += QStringLiteral("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=s%1,"
                                   "source=/out,target=/in make -C /src/s%2 \\\n")
                        .arg(mountFrom)
                        .arg(n);
        else
            text += QStringLiteral("RUN --mount=type=cache,target=/root/.cache make -C /src/s%1 \\\n").arg(n);
        text += QStringLiteral("    && make -C /src/s%1 install DESTDIR=/out\n").arg(n); // 7
        text += QStringLiteral("COPY <<EOF /etc/s%1.conf\n").arg(n);                     // 8
        text += QStringLiteral("name = s%1\n").arg(n);                                   // 9
        text += QStringLiteral("EOF\n");                                                 // 10
    }
    return text;
}

} // namespace stagecraft::bench
