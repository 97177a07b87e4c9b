<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>StageNodeItem</name>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>Cache</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>External image %1</source>
        <translation>Externes Image %1</translation>
    </message>
    <message>
        <source>Stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>Stage %1 (%2)</source>
        <translation>Stufe %1 (%2)</translation>
    </message>
    <message>
        <source>Platform %1</source>
        <translation>Plattform %1</translation>
    </message>
    <message>
        <source>Lines %1–%2</source>
        <translation>Zeilen %1–%2</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>1 step</source>
        <translation>1 Schritt</translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation>%1 Schritte</translation>
    </message>
    <message>
        <source>Not cached:</source>
        <translation>Nicht aus dem Cache:</translation>
    </message>
</context>
<context>
    <name>TimelineLayout</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
</context>
<context>
    <name>stagecraft::InstructionDocs</name>
    <message>
        <source>Owner and group of the copied files.</source>
        <translation>Besitzer und Gruppe der kopierten Dateien.</translation>
    </message>
    <message>
        <source>Permissions of the copied files, e.g. 755.</source>
        <translation>Zugriffsrechte der kopierten Dateien, z. B. 755.</translation>
    </message>
    <message>
        <source>Copy into an independent layer that survives changes to earlier layers.</source>
        <translation>In eine eigenständige Schicht kopieren, die Änderungen an früheren Schichten übersteht.</translation>
    </message>
    <message>
        <source>Leave out files matching this pattern.</source>
        <translation>Dateien auslassen, die auf dieses Muster passen.</translation>
    </message>
    <message>
        <source>Starts a new build stage from a base image, from an earlier stage, or from the empty image scratch. Each FROM begins a stage; AS gives the stage a name that COPY --from and later FROM lines can use.</source>
        <translation>Beginnt eine neue Build-Stufe auf einem Basis-Image, einer früheren Stufe oder dem leeren Image scratch. Jedes FROM beginnt eine Stufe; AS gibt ihr einen Namen, den COPY --from und spätere FROM-Zeilen verwenden können.</translation>
    </message>
    <message>
        <source>Platform of the base image, e.g. linux/arm64.</source>
        <translation>Plattform des Basis-Images, z. B. linux/arm64.</translation>
    </message>
    <message>
        <source>Runs a command in the stage&apos;s filesystem and records the changes as a new layer.</source>
        <translation>Führt einen Befehl im Dateisystem der Stufe aus und hält die Änderungen als neue Schicht fest.</translation>
    </message>
    <message>
        <source>Mounts a cache, files of another stage, a secret or an SSH agent while the command runs.</source>
        <translation>Bindet während des Befehls einen Cache, Dateien einer anderen Stufe, ein Secret oder einen SSH-Agenten ein.</translation>
    </message>
    <message>
        <source>Network access of the command.</source>
        <translation>Netzwerkzugriff des Befehls.</translation>
    </message>
    <message>
        <source>Whether the command runs in the usual sandbox.</source>
        <translation>Ob der Befehl in der üblichen Sandbox läuft.</translation>
    </message>
    <message>
        <source>The default command of a container, or default arguments for the ENTRYPOINT. Only the last CMD of a stage counts.</source>
        <translation>Der Standardbefehl eines Containers oder die Standardargumente für ENTRYPOINT. Nur das letzte CMD einer Stufe zählt.</translation>
    </message>
    <message>
        <source>Adds metadata to the image as key-value pairs.</source>
        <translation>Fügt dem Image Metadaten als Schlüssel-Wert-Paare hinzu.</translation>
    </message>
    <message>
        <source>Deprecated: names the author of the image. Use LABEL org.opencontainers.image.authors instead.</source>
        <translation>Veraltet: nennt den Autor des Images. Stattdessen LABEL org.opencontainers.image.authors verwenden.</translation>
    </message>
    <message>
        <source>Documents the network ports the container listens on. It does not publish them.</source>
        <translation>Dokumentiert die Netzwerkports, auf denen der Container lauscht. Veröffentlicht sie nicht.</translation>
    </message>
    <message>
        <source>Sets environment variables for the following instructions and for the running container.</source>
        <translation>Setzt Umgebungsvariablen für die folgenden Anweisungen und den laufenden Container.</translation>
    </message>
    <message>
        <source>Copies files, URLs or Git repositories into the image; local tar archives are unpacked. Prefer COPY for plain files.</source>
        <translation>Kopiert Dateien, URLs oder Git-Repositorys ins Image; lokale tar-Archive werden entpackt. Für einfache Dateien besser COPY verwenden.</translation>
    </message>
    <message>
        <source>Keep the .git directory when adding a Git repository.</source>
        <translation>Beim Hinzufügen eines Git-Repositorys das .git-Verzeichnis behalten.</translation>
    </message>
    <message>
        <source>Expected checksum of a remote file.</source>
        <translation>Erwartete Prüfsumme einer entfernten Datei.</translation>
    </message>
    <message>
        <source>Copies files from the build context, or with --from from another stage or image, into the stage&apos;s filesystem.</source>
        <translation>Kopiert Dateien aus dem Build-Kontext – oder mit --from aus einer anderen Stufe oder einem Image – in das Dateisystem der Stufe.</translation>
    </message>
    <message>
        <source>Copy from this stage (name or index) or image instead of the build context.</source>
        <translation>Aus dieser Stufe (Name oder Nummer) oder diesem Image statt aus dem Build-Kontext kopieren.</translation>
    </message>
    <message>
        <source>Keep the parent directories of the sources.</source>
        <translation>Die übergeordneten Verzeichnisse der Quellen beibehalten.</translation>
    </message>
    <message>
        <source>The program a container runs. CMD supplies its default arguments.</source>
        <translation>Das Programm, das ein Container ausführt. CMD liefert seine Standardargumente.</translation>
    </message>
    <message>
        <source>Marks paths as mount points for volumes.</source>
        <translation>Markiert Pfade als Einhängepunkte für Volumes.</translation>
    </message>
    <message>
        <source>Sets the user (and group) for the following RUN, CMD and ENTRYPOINT instructions.</source>
        <translation>Setzt Benutzer (und Gruppe) für die folgenden RUN-, CMD- und ENTRYPOINT-Anweisungen.</translation>
    </message>
    <message>
        <source>Sets the working directory for the following instructions; creates it when missing.</source>
        <translation>Setzt das Arbeitsverzeichnis für die folgenden Anweisungen und legt es bei Bedarf an.</translation>
    </message>
    <message>
        <source>Declares a build argument that --build-arg can set. Before the first FROM it can be used in FROM lines; inside a stage it must be declared again.</source>
        <translation>Deklariert ein Build-Argument, das --build-arg setzen kann. Vor dem ersten FROM ist es in FROM-Zeilen nutzbar; innerhalb einer Stufe muss es erneut deklariert werden.</translation>
    </message>
    <message>
        <source>Stores an instruction that runs when another build uses this image as its base.</source>
        <translation>Speichert eine Anweisung, die ausgeführt wird, wenn ein anderer Build dieses Image als Basis verwendet.</translation>
    </message>
    <message>
        <source>The signal sent to the container to stop it, e.g. SIGTERM.</source>
        <translation>Das Signal, mit dem der Container beendet wird, z. B. SIGTERM.</translation>
    </message>
    <message>
        <source>Tells the container runtime how to check that the container still works.</source>
        <translation>Sagt der Container-Laufzeit, wie sie prüft, ob der Container noch funktioniert.</translation>
    </message>
    <message>
        <source>Time between checks (default 30s).</source>
        <translation>Zeit zwischen zwei Prüfungen (Standard 30s).</translation>
    </message>
    <message>
        <source>Time after which a check counts as failed (default 30s).</source>
        <translation>Zeit, nach der eine Prüfung als fehlgeschlagen gilt (Standard 30s).</translation>
    </message>
    <message>
        <source>Time the container may take to start before failures count.</source>
        <translation>Zeit, die der Container zum Starten hat, bevor Fehlschläge zählen.</translation>
    </message>
    <message>
        <source>Time between checks during the start period.</source>
        <translation>Zeit zwischen zwei Prüfungen während der Startphase.</translation>
    </message>
    <message>
        <source>Failures in a row before the container is unhealthy (default 3).</source>
        <translation>Fehlschläge in Folge, bis der Container als ungesund gilt (Standard 3).</translation>
    </message>
    <message>
        <source>Sets the shell used by the shell form of RUN, CMD and ENTRYPOINT.</source>
        <translation>Setzt die Shell für die Shell-Form von RUN, CMD und ENTRYPOINT.</translation>
    </message>
</context>
<context>
    <name>stagecraft::QuickFixes</name>
    <message>
        <source>Write %1</source>
        <translation>%1 schreiben</translation>
    </message>
    <message>
        <source>Rename the stage %1</source>
        <translation>Stufe in %1 umbenennen</translation>
    </message>
    <message>
        <source>Write %1 %2=…</source>
        <translation>%1 %2=… schreiben</translation>
    </message>
    <message>
        <source>Write %1 in JSON form</source>
        <translation>%1 in JSON-Form schreiben</translation>
    </message>
    <message>
        <source>Use a LABEL for the author</source>
        <translation>LABEL für den Autor verwenden</translation>
    </message>
    <message>
        <source>Add %1 to .dockerignore</source>
        <translation>%1 in .dockerignore aufnehmen</translation>
    </message>
    <message>
        <source>Create a .dockerignore</source>
        <translation>.dockerignore anlegen</translation>
    </message>
    <message>
        <source>Combine apt-get update, install and clean-up in one RUN</source>
        <translation>apt-get update, install und Aufräumen in einem RUN zusammenfassen</translation>
    </message>
    <message>
        <source>Remove the package lists in the same RUN</source>
        <translation>Paketlisten im selben RUN entfernen</translation>
    </message>
    <message>
        <source>Use apk add --no-cache</source>
        <translation>apk add --no-cache verwenden</translation>
    </message>
    <message>
        <source>Add --no-cache-dir</source>
        <translation>--no-cache-dir ergänzen</translation>
    </message>
    <message>
        <source>Clean the npm cache in the same RUN</source>
        <translation>npm-Cache im selben RUN leeren</translation>
    </message>
    <message>
        <source>Clean the package cache in the same RUN</source>
        <translation>Paket-Cache im selben RUN leeren</translation>
    </message>
    <message>
        <source>Make it multi-stage (build stage + %1)</source>
        <translation>Mehrstufig machen (Build-Stufe + %1)</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::Application</name>
    <message>
        <source>stagecraft: cannot write %1</source>
        <translation>stagecraft: %1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Edit and see multi-stage Dockerfiles.</source>
        <translation>Mehrstufige Dockerfiles bearbeiten und sehen.</translation>
    </message>
    <message>
        <source>Open a built-in example.</source>
        <translation>Ein eingebautes Beispiel öffnen.</translation>
    </message>
    <message>
        <source>Render the window to a PNG file and exit.</source>
        <translation>Das Fenster als PNG-Datei speichern und beenden.</translation>
    </message>
    <message>
        <source>Use the dark theme.</source>
        <translation>Das dunkle Farbschema verwenden.</translation>
    </message>
    <message>
        <source>Use the light theme.</source>
        <translation>Das helle Farbschema verwenden.</translation>
    </message>
    <message>
        <source>stagecraft: open one file at a time</source>
        <translation>stagecraft: bitte nur eine Datei auf einmal öffnen</translation>
    </message>
    <message>
        <source>stagecraft: the images were still loading after ten minutes</source>
        <translation>stagecraft: die Images wurden nach zehn Minuten noch geladen</translation>
    </message>
    <message>
        <source>Show the Layers view comparing the images named as arguments (store references, docker-save tarballs or OCI layout directories).</source>
        <translation>Die Schichten-Ansicht mit einem Vergleich der als Argumente genannten Images zeigen (Store-Referenzen, docker-save-Tarballs oder OCI-Layout-Verzeichnisse).</translation>
    </message>
    <message>
        <source>The image store to use.</source>
        <translation>Der zu verwendende Image-Store.</translation>
    </message>
    <message>
        <source>The Dockerfile to open (with --compare: the images to compare).</source>
        <translation>Das zu öffnende Dockerfile (mit --compare: die zu vergleichenden Images).</translation>
    </message>
    <message>
        <source>stagecraft: --compare needs the images to compare, e.g. `stagecraft --compare big.tar small.tar`</source>
        <translation>stagecraft: --compare braucht die zu vergleichenden Images, z. B. `stagecraft --compare big.tar small.tar`</translation>
    </message>
    <message>
        <source>The window&apos;s size for --screenshot, e.g. 1024x768 (default 1280x800).</source>
        <translation>Die Fenstergröße für --screenshot, z. B. 1024x768 (Vorgabe 1280x800).</translation>
    </message>
    <message>
        <source>The view beside the editor: graph, layers or files.</source>
        <translation>Die Ansicht neben dem Editor: graph, layers oder files.</translation>
    </message>
    <message>
        <source>stagecraft: --size wants WIDTHxHEIGHT, e.g. 1024x768</source>
        <translation>stagecraft: --size erwartet BREITExHÖHE, z. B. 1024x768</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::BuildController</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>A build or run is in progress; cancel it first.</source>
        <translation>Ein Build oder Lauf ist im Gang; bitte zuerst abbrechen.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Starte …</translation>
    </message>
    <message>
        <source>Pulling %1 of %2</source>
        <translation>Lade %1 von %2 herunter</translation>
    </message>
    <message>
        <source>%1 of %2 steps (all stages)</source>
        <translation>%1 von %2 Schritten (alle Stufen)</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>Cache</translation>
    </message>
    <message>
        <source>+%1 compressed</source>
        <translation>+%1 komprimiert</translation>
    </message>
    <message>
        <source>Taken from the build cache</source>
        <translation>Aus dem Build-Cache übernommen</translation>
    </message>
    <message>
        <source>Not cached: %1</source>
        <translation>Nicht aus dem Cache: %1</translation>
    </message>
    <message>
        <source>not cached: %1</source>
        <translation>nicht aus dem Cache: %1</translation>
    </message>
    <message>
        <source>step %1: %2</source>
        <translation>Schritt %1: %2</translation>
    </message>
    <message>
        <source>Took %1</source>
        <translation>Dauerte %1</translation>
    </message>
    <message>
        <source>Layer %1: %2 uncompressed, %3 compressed</source>
        <translation>Schicht %1: %2 unkomprimiert, %3 komprimiert</translation>
    </message>
    <message>
        <source>Layer %1: %2 compressed</source>
        <translation>Schicht %1: %2 komprimiert</translation>
    </message>
    <message>
        <source>Changes only the image&apos;s configuration (no layer)</source>
        <translation>Ändert nur die Konfiguration des Images (keine Schicht)</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
    <message>
        <source>The build was cancelled.</source>
        <translation>Der Build wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Build cancelled</source>
        <translation>Build abgebrochen</translation>
    </message>
    <message>
        <source>Build failed</source>
        <translation>Build fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <source>Built %1 in %2: %n step(s)</source>
        <translation>
            <numerusform>%1 in %2 gebaut: %n Schritt</numerusform>
            <numerusform>%1 in %2 gebaut: %n Schritte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cached</source>
        <translation>
            <numerusform>%n aus dem Cache</numerusform>
            <numerusform>%n aus dem Cache</numerusform>
        </translation>
    </message>
    <message>
        <source>Built %1</source>
        <translation>%1 gebaut</translation>
    </message>
    <message>
        <source>%1 compressed</source>
        <translation>%1 komprimiert</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::BuildLogModel</name>
    <message>
        <source>Stage</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::BuildLogView</name>
    <message>
        <source>Show the lines of one stage only</source>
        <translation>Nur die Zeilen einer Stufe zeigen</translation>
    </message>
    <message>
        <source>Build log</source>
        <translation>Build-Protokoll</translation>
    </message>
    <message>
        <source>S&amp;tage:</source>
        <translation>S&amp;tufe:</translation>
    </message>
    <message>
        <source>All stages</source>
        <translation>Alle Stufen</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::BuildSession</name>
    <message>
        <source>The container exited with code %1.</source>
        <translation>Der Container endete mit Code %1.</translation>
    </message>
    <message>
        <source>The build no longer holds the failed step.</source>
        <translation>Der Build hält den fehlgeschlagenen Schritt nicht mehr.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::CopyDropController</name>
    <message>
        <source>Drop the file inside a stage, below its FROM line.</source>
        <translation>Die Datei innerhalb einer Stufe ablegen, unterhalb ihrer FROM-Zeile.</translation>
    </message>
    <message>
        <source>The dropped item is not a file from a stage&apos;s file list.</source>
        <translation>Das abgelegte Element ist keine Datei aus der Dateiliste einer Stufe.</translation>
    </message>
    <message>
        <source>Copy from another stage</source>
        <translation>Aus einer anderen Stufe kopieren</translation>
    </message>
    <message>
        <source>Copy &lt;b&gt;%1&lt;/b&gt; from stage &lt;b&gt;%2&lt;/b&gt; into this stage at:</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; aus Stufe &lt;b&gt;%2&lt;/b&gt; in diese Stufe kopieren nach:</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <source>Insert COPY</source>
        <translation>COPY einfügen</translation>
    </message>
    <message>
        <source>Cannot copy here</source>
        <translation>Hier kann nicht kopiert werden</translation>
    </message>
    <message>
        <source>Line %1 already copies this: %2</source>
        <translation>Zeile %1 kopiert das schon: %2</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::CopyToStageDialog</name>
    <message>
        <source>Copy to Stage</source>
        <translation>In Stufe kopieren</translation>
    </message>
    <message>
        <source>Copy &lt;b&gt;%1&lt;/b&gt; from stage &lt;b&gt;%2&lt;/b&gt;:</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; aus Stufe &lt;b&gt;%2&lt;/b&gt; kopieren:</translation>
    </message>
    <message>
        <source>Stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>%1 (stage %2)</source>
        <translation>%1 (Stufe %2)</translation>
    </message>
    <message>
        <source>&amp;Into stage:</source>
        <translation>&amp;In Stufe:</translation>
    </message>
    <message>
        <source>&amp;Destination:</source>
        <translation>&amp;Ziel:</translation>
    </message>
    <message>
        <source>Insert COPY</source>
        <translation>COPY einfügen</translation>
    </message>
    <message>
        <source>No later stage can copy this file; add a FROM line after this stage first.</source>
        <translation>Keine spätere Stufe kann diese Datei kopieren; fügen Sie zuerst nach dieser Stufe eine FROM-Zeile ein.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::DockerfileEditor</name>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Dockerfile editor</source>
        <translation>Dockerfile-Editor</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::EnginePicker</name>
    <message>
        <source>Docker</source>
        <translation>Docker</translation>
    </message>
    <message>
        <source>Embedded</source>
        <translation>Eingebaut</translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation>Engine:</translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation>%1 (nicht verfügbar)</translation>
    </message>
    <message>
        <source>Builds run on: %1</source>
        <translation>Builds laufen auf: %1</translation>
    </message>
    <message>
        <source>the embedded builder: no daemon, no root</source>
        <translation>dem eingebauten Builder: kein Daemon, kein root</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::ExampleCatalog</name>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>%1 kann nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>Go, single stage</source>
        <translation>Go, einstufig</translation>
    </message>
    <message>
        <source>Builds a Go program in one stage; the toolchain stays in the image.</source>
        <translation>Baut ein Go-Programm in einer Stufe; die Toolchain bleibt im Image.</translation>
    </message>
    <message>
        <source>Go, multi-stage</source>
        <translation>Go, mehrstufig</translation>
    </message>
    <message>
        <source>Builds in one stage and copies only the binary into an empty scratch image.</source>
        <translation>Baut in einer Stufe und kopiert nur das Programm in ein leeres scratch-Image.</translation>
    </message>
    <message>
        <source>COPY --from a stage number</source>
        <translation>COPY --from mit Stufennummer</translation>
    </message>
    <message>
        <source>An unnamed build stage, referred to as stage 0; the source comes from a heredoc.</source>
        <translation>Eine unbenannte Build-Stufe, angesprochen als Stufe 0; der Quelltext kommt aus einem Heredoc.</translation>
    </message>
    <message>
        <source>Named stages</source>
        <translation>Benannte Stufen</translation>
    </message>
    <message>
        <source>The same build with a named stage, so COPY --from survives reordering.</source>
        <translation>Derselbe Build mit benannter Stufe, damit COPY --from ein Umsortieren übersteht.</translation>
    </message>
    <message>
        <source>Alpine runtime</source>
        <translation>Alpine-Laufzeit</translation>
    </message>
    <message>
        <source>Builds with the Go image and runs on a small Alpine image.</source>
        <translation>Baut mit dem Go-Image und läuft auf einem kleinen Alpine-Image.</translation>
    </message>
    <message>
        <source>There is no example called “%1”.</source>
        <translation>Es gibt kein Beispiel namens „%1“.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::FileTreeModel</name>
    <message>
        <source>Added by this layer</source>
        <translation>Von dieser Schicht hinzugefügt</translation>
    </message>
    <message>
        <source>Changed by this layer</source>
        <translation>Von dieser Schicht geändert</translation>
    </message>
    <message>
        <source>Removed by this layer</source>
        <translation>Von dieser Schicht entfernt</translation>
    </message>
    <message>
        <source>Last written by layer %1</source>
        <translation>Zuletzt geschrieben von Schicht %1</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1 reclaimable: the wasted bytes without the copy the image keeps</source>
        <translation>%1 einsparbar: die verschwendeten Bytes ohne die Kopie, die das Image behält</translation>
    </message>
    <message>
        <source>Wasted (as dive counts it): for every path that more than one layer writes or removes, the bytes of all its versions, the copy the image keeps included.
Reclaimable: wasted minus the version the image keeps, the bytes a rewrite of the Dockerfile could save.</source>
        <translation>Verschwendet (wie dive zählt): für jeden Pfad, den mehr als eine Schicht schreibt oder entfernt, die Bytes all seiner Fassungen, die Kopie, die das Image behält, eingeschlossen.
Einsparbar: verschwendet minus die Fassung, die das Image behält – die Bytes, die eine Umschrift des Dockerfiles sparen könnte.</translation>
    </message>
    <message>
        <source>%1 wasted below: bytes that more than one layer holds</source>
        <translation>%1 verschwendet darunter: Bytes, die mehr als eine Schicht enthält</translation>
    </message>
    <message>
        <source>%1 wasted: this path is in more than one layer</source>
        <translation>%1 verschwendet: dieser Pfad liegt in mehr als einer Schicht</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Wasted</source>
        <translation>Verschwendet</translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Besitzer</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::FilesView</name>
    <message>
        <source>Show the filesystem after this layer, with its changes marked</source>
        <translation>Das Dateisystem nach dieser Schicht zeigen, ihre Änderungen markiert</translation>
    </message>
    <message>
        <source>Filter by name</source>
        <translation>Nach Namen filtern</translation>
    </message>
    <message>
        <source>Only this layer&apos;s changes</source>
        <translation>Nur die Änderungen dieser Schicht</translation>
    </message>
    <message>
        <source>Largest files</source>
        <translation>Größte Dateien</translation>
    </message>
    <message>
        <source>A flat list of the largest files instead of the tree</source>
        <translation>Eine flache Liste der größten Dateien statt des Baums</translation>
    </message>
    <message>
        <source>Could not open %1: %2.</source>
        <translation>%1 konnte nicht geöffnet werden: %2.</translation>
    </message>
    <message>
        <source>Could not read the layers of %1: %2.</source>
        <translation>Die Schichten von %1 konnten nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>All layers</source>
        <translation>Alle Schichten</translation>
    </message>
    <message>
        <source>(no history)</source>
        <translation>(kein Verlauf)</translation>
    </message>
    <message>
        <source>Layer %1: %2 (%3)</source>
        <translation>Schicht %1: %2 (%3)</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Lese %1 …</translation>
    </message>
    <message>
        <source>Build the Dockerfile to see each stage&apos;s files here.</source>
        <translation>Das Dockerfile bauen, um hier die Dateien jeder Stufe zu sehen.</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>%1: %2 in %3 files</source>
        <translation>%1: %2 in %3 Dateien</translation>
    </message>
    <message>
        <source> · %1 reclaimable, %2 wasted as dive counts it</source>
        <translation> · %1 einsparbar, %2 verschwendet nach dive gezählt</translation>
    </message>
    <message>
        <source> · drag a file onto another stage to copy it there</source>
        <translation> · eine Datei auf eine andere Stufe ziehen, um sie dorthin zu kopieren</translation>
    </message>
    <message>
        <source>%1: %2 in 1 file</source>
        <translation>%1: %2 in 1 Datei</translation>
    </message>
    <message>
        <source>&amp;Copy to Stage…</source>
        <translation>In Stufe &amp;kopieren…</translation>
    </message>
    <message>
        <source>Insert a COPY --from line that copies this file into another stage</source>
        <translation>Eine COPY --from-Zeile einfügen, die diese Datei in eine andere Stufe kopiert</translation>
    </message>
    <message>
        <source>&amp;Where Did This Come From?</source>
        <translation>&amp;Woher stammt diese Datei?</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::HostCheckDialog</name>
    <message>
        <source>&amp;Don&apos;t show again until something changes</source>
        <translation>&amp;Nicht mehr anzeigen, bis sich etwas ändert</translation>
    </message>
    <message>
        <source>Check This Computer</source>
        <translation>Diesen Computer prüfen</translation>
    </message>
    <message>
        <source>Some things a build needs are missing on this computer. Each entry below says how to fix it; run the command, then choose Help → Check This Computer again.</source>
        <translation>Auf diesem Computer fehlt etwas, das ein Build braucht. Jeder Eintrag unten sagt, wie es sich beheben lässt: den Befehl ausführen, dann erneut Hilfe → Diesen Computer prüfen wählen.</translation>
    </message>
    <message>
        <source>Everything a build needs is in place.</source>
        <translation>Alles, was ein Build braucht, ist vorhanden.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>Fehlt</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Fix:</source>
        <translation>Behebung:</translation>
    </message>
    <message>
        <source>&amp;Copy Fixes</source>
        <translation>Befehle &amp;kopieren</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::ImageDiffModel</name>
    <message>
        <source>added</source>
        <translation>hinzugefügt</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>mode</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <source>owner</source>
        <translation>Eigentümer</translation>
    </message>
    <message>
        <source>link</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>geändert</translation>
    </message>
    <message>
        <source>changed (%1)</source>
        <translation>geändert (%1)</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>Not in %1</source>
        <translation>Nicht in %1</translation>
    </message>
    <message>
        <source>Layer %1 of %2: %3</source>
        <translation>Schicht %1 von %2: %3</translation>
    </message>
    <message>
        <source>the first image</source>
        <translation>dem ersten Image</translation>
    </message>
    <message>
        <source>the second image</source>
        <translation>dem zweiten Image</translation>
    </message>
    <message>
        <source>Uncompressed bytes in A (%1); a directory&apos;s are everything below it</source>
        <translation>Unkomprimierte Bytes in A (%1); bei einem Verzeichnis alles darunter</translation>
    </message>
    <message>
        <source>Uncompressed bytes in B (%1)</source>
        <translation>Unkomprimierte Bytes in B (%1)</translation>
    </message>
    <message>
        <source>B minus A; sorted by the size of the change</source>
        <translation>B minus A; sortiert nach der Größe der Änderung</translation>
    </message>
    <message>
        <source>The layer of A (%1) that last wrote the path</source>
        <translation>Die Schicht von A (%1), die den Pfad zuletzt geschrieben hat</translation>
    </message>
    <message>
        <source>The layer of B (%1) that last wrote the path</source>
        <translation>Die Schicht von B (%1), die den Pfad zuletzt geschrieben hat</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>Size A</source>
        <translation>Größe A</translation>
    </message>
    <message>
        <source>Size B</source>
        <translation>Größe B</translation>
    </message>
    <message>
        <source>Delta</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <source>Layer A</source>
        <translation>Schicht A</translation>
    </message>
    <message>
        <source>Layer B</source>
        <translation>Schicht B</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::ImageDiffView</name>
    <message>
        <source>All changes</source>
        <translation>Alle Änderungen</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Hinzugefügt</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>Entfernt</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>By directory</source>
        <translation>Nach Verzeichnis</translation>
    </message>
    <message>
        <source>Which paths to list; by directory: the directories two levels down whose bytes differ</source>
        <translation>Welche Pfade die Liste zeigt; nach Verzeichnis: die Verzeichnisse bis zwei Ebenen tief, deren Bytes sich unterscheiden</translation>
    </message>
    <message>
        <source>Filter paths</source>
        <translation>Pfade filtern</translation>
    </message>
    <message>
        <source>Pick two images to see which files differ.</source>
        <translation>Zwei Images wählen, um zu sehen, welche Dateien sich unterscheiden.</translation>
    </message>
    <message>
        <source>Comparing the files of %1 and %2…</source>
        <translation>Vergleiche die Dateien von %1 und %2 …</translation>
    </message>
    <message>
        <source>%1; their files are the same.</source>
        <translation>%1; ihre Dateien sind gleich.</translation>
    </message>
    <message>
        <source>%1: %2, %3, %4.</source>
        <translation>%1: %2, %3, %4.</translation>
    </message>
    <message>
        <source>1 path removed</source>
        <translation>1 Pfad entfernt</translation>
    </message>
    <message>
        <source>%1 paths removed</source>
        <translation>%1 Pfade entfernt</translation>
    </message>
    <message>
        <source>1 added</source>
        <translation>1 hinzugefügt</translation>
    </message>
    <message>
        <source>%1 added</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <source>1 changed</source>
        <translation>1 geändert</translation>
    </message>
    <message>
        <source>%1 changed</source>
        <translation>%1 geändert</translation>
    </message>
    <message>
        <source>B (%1) is %2 larger than A (%3)</source>
        <translation>B (%1) ist %2 größer als A (%3)</translation>
    </message>
    <message>
        <source>B (%1) is %2 smaller than A (%3)</source>
        <translation>B (%1) ist %2 kleiner als A (%3)</translation>
    </message>
    <message>
        <source>B (%1) is as large as A (%2)</source>
        <translation>B (%1) ist so groß wie A (%2)</translation>
    </message>
    <message>
        <source>Their files differ by %1; the other %2 are in layers whose files later layers removed or overwrote.</source>
        <translation>Ihre Dateien unterscheiden sich um %1; die übrigen %2 liegen in Schichten, deren Dateien spätere Schichten entfernt oder überschrieben haben.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::KitImportDialog</name>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importieren</translation>
    </message>
    <message>
        <source>&amp;Open Example</source>
        <translation>Beispiel ö&amp;ffnen</translation>
    </message>
    <message>
        <source>Import Classroom Kit</source>
        <translation>Kursmaterial importieren</translation>
    </message>
    <message>
        <source>A kit holds a lesson&apos;s base images, the build cache of every step and the examples: after the import they build without the network.</source>
        <translation>Ein Kursmaterial enthält die Basis-Images einer Lektion, den Build-Cache jedes Schritts und die Beispiele: nach dem Import bauen sie ohne Netzwerk.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Classroom kits (*.kit);;All files (*)</source>
        <translation>Kursmaterialien (*.kit);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Kit file:</source>
        <translation>&amp;Kursmaterial:</translation>
    </message>
    <message>
        <source>&amp;Examples go to:</source>
        <translation>&amp;Beispiele nach:</translation>
    </message>
    <message>
        <source>Checking and loading %1…</source>
        <translation>%1 wird geprüft und geladen…</translation>
    </message>
    <message>
        <source>Loaded %1 base images and the cache of %2 steps. The examples build fully cached, without the network.</source>
        <translation>%1 Basis-Images und der Cache von %2 Schritten geladen. Die Beispiele bauen vollständig aus dem Cache, ohne Netzwerk.</translation>
    </message>
    <message>
        <source>The kit was not imported: %1</source>
        <translation>Das Kursmaterial wurde nicht importiert: %1</translation>
    </message>
    <message>
        <source>&amp;Check Kit</source>
        <translation>Kursmaterial &amp;prüfen</translation>
    </message>
    <message>
        <source>Base image %1  —  %2</source>
        <translation>Basis-Image %1  —  %2</translation>
    </message>
    <message numerus="yes">
        <source>%1  —  %n steps, %2 cached</source>
        <translation>
            <numerusform>%1  —  %n Schritt, %2 aus dem Cache</numerusform>
            <numerusform>%1  —  %n Schritte, %2 aus dem Cache</numerusform>
        </translation>
    </message>
    <message>
        <source>  —  covered: builds fully cached offline</source>
        <translation>  —  abgedeckt: baut ohne Netzwerk ganz aus dem Cache</translation>
    </message>
    <message>
        <source>  —  would need the network</source>
        <translation>  —  bräuchte das Netzwerk</translation>
    </message>
    <message>
        <source>  —  steps would run (offline)</source>
        <translation>  —  Schritte würden laufen (ohne Netzwerk)</translation>
    </message>
    <message>
        <source>Base image %1 is not in the kit: it would be pulled</source>
        <translation>Basis-Image %1 ist nicht im Kursmaterial: Es würde heruntergeladen</translation>
    </message>
    <message>
        <source>Line %1: </source>
        <translation>Zeile %1: </translation>
    </message>
    <message>
        <source> — would need the network</source>
        <translation> — bräuchte das Netzwerk</translation>
    </message>
    <message>
        <source> — would run</source>
        <translation> — würde laufen</translation>
    </message>
    <message numerus="yes">
        <source>%n steps have no cached result</source>
        <translation>
            <numerusform>%n Schritt hat kein Ergebnis im Cache</numerusform>
            <numerusform>%n Schritte haben kein Ergebnis im Cache</numerusform>
        </translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Prüfe %1…</translation>
    </message>
    <message>
        <source>%1 of %2 examples build fully cached without the network. The kit holds %3 of base images, %4 of build cache and %5 of examples.</source>
        <translation>%1 von %2 Beispielen bauen ohne Netzwerk ganz aus dem Cache. Das Kursmaterial enthält %3 Basis-Images, %4 Build-Cache und %5 Beispiele.</translation>
    </message>
    <message>
        <source>The kit cannot be used: %1</source>
        <translation>Das Kursmaterial kann nicht verwendet werden: %1</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::LayersChart</name>
    <message>
        <source>(no instruction recorded)</source>
        <translation>(keine Anweisung aufgezeichnet)</translation>
    </message>
    <message>
        <source>%1
Layer %2 of %3: %4 (%5 % of %6)</source>
        <translation>%1
Schicht %2 von %3: %4 (%5 % von %6)</translation>
    </message>
    <message>
        <source>Image size, log scale (segments split each bar by their share)</source>
        <translation>Image-Größe, logarithmisch (Segmente teilen jeden Balken nach ihrem Anteil)</translation>
    </message>
    <message>
        <source>%1&lt;br&gt;&lt;b&gt;%2&lt;/b&gt;</source>
        <translation>%1&lt;br&gt;&lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Size (uncompressed)</source>
        <translation>Größe (unkomprimiert)</translation>
    </message>
    <message>
        <source>%1, layer %2</source>
        <translation>%1, Schicht %2</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::LayersView</name>
    <message>
        <source>Blob (as stored)</source>
        <translation>Blob (wie gespeichert)</translation>
    </message>
    <message>
        <source>The layer&apos;s blob as the image stores it: compressed in registry, OCI and store images (what a pull downloads), plain tar in a docker save tarball</source>
        <translation>Der Blob der Schicht, wie das Image ihn speichert: komprimiert in Registry-, OCI- und Store-Images (was ein Pull lädt), reines tar in einem docker-save-Archiv</translation>
    </message>
    <message>
        <source>Last two builds</source>
        <translation>Letzte zwei Builds</translation>
    </message>
    <message>
        <source>Compare the two images built last, and follow new builds</source>
        <translation>Die zwei zuletzt gebauten Images vergleichen und neuen Builds folgen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open Tarball…</source>
        <translation>Tarball öffnen …</translation>
    </message>
    <message>
        <source>Open OCI Directory…</source>
        <translation>OCI-Verzeichnis öffnen …</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Logarithmisch</translation>
    </message>
    <message>
        <source>Bar heights on a logarithmic scale, so a small image stays visible next to a big one</source>
        <translation>Balkenhöhen logarithmisch, damit ein kleines Image neben einem großen sichtbar bleibt</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG exportieren …</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>with</source>
        <translation>mit</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>Anweisung</translation>
    </message>
    <message>
        <source>Build an image, pick two from the store or open a tarball to compare layers.</source>
        <translation>Ein Image bauen, zwei aus dem Store wählen oder einen Tarball öffnen, um Schichten zu vergleichen.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Lade %1 …</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Click a segment or a row to find the instruction that made the layer.</source>
        <translation>Ein Segment oder eine Zeile anklicken, um die Anweisung zu finden, die die Schicht erzeugt hat.</translation>
    </message>
    <message>
        <source>%1: %2 in 1 layer</source>
        <translation>%1: %2 in 1 Schicht</translation>
    </message>
    <message>
        <source>%1: %2 in %3 layers</source>
        <translation>%1: %2 in %3 Schichten</translation>
    </message>
    <message>
        <source>%1 vs %2</source>
        <translation>%1 gegen %2</translation>
    </message>
    <message>
        <source>%1 — the same size</source>
        <translation>%1 — gleich groß</translation>
    </message>
    <message>
        <source>%1 — one image holds no bytes</source>
        <translation>%1 — ein Image enthält keine Bytes</translation>
    </message>
    <message>
        <source>%1 — %2 smaller</source>
        <translation>%1 — %2 kleiner</translation>
    </message>
    <message>
        <source>%1 — %2 larger</source>
        <translation>%1 — %2 größer</translation>
    </message>
    <message>
        <source>%1 — %2× smaller</source>
        <translation>%1 — %2× kleiner</translation>
    </message>
    <message>
        <source>%1 — %2× larger</source>
        <translation>%1 — %2× größer</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>%1 (built)</source>
        <translation>%1 (gebaut)</translation>
    </message>
    <message>
        <source>Open OCI Image Layout</source>
        <translation>OCI-Image-Layout öffnen</translation>
    </message>
    <message>
        <source>Open Image Tarball</source>
        <translation>Image-Tarball öffnen</translation>
    </message>
    <message>
        <source>Image tarballs (*.tar *.docker.tar);;All files (*)</source>
        <translation>Image-Tarballs (*.tar *.docker.tar);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot write the chart to %1.</source>
        <translation>Das Diagramm kann nicht nach %1 geschrieben werden.</translation>
    </message>
    <message>
        <source>Export Chart</source>
        <translation>Diagramm exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Size (uncompressed)</source>
        <translation>Größe (unkomprimiert)</translation>
    </message>
    <message>
        <source>Changed files</source>
        <translation>Geänderte Dateien</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Pick two images to see which files differ.</source>
        <translation>Zwei Images wählen, um zu sehen, welche Dateien sich unterscheiden.</translation>
    </message>
    <message>
        <source>pull size %1 vs %2 (compressed)</source>
        <translation>Pull-Größe %1 gegen %2 (komprimiert)</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <translation>%1 %2, %3</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::LiveAnalysis</name>
    <message>
        <source>Start with a FROM line, such as FROM alpine:3.20, or open one of File → Examples.</source>
        <translation>Beginnen Sie mit einer FROM-Zeile wie FROM alpine:3.20, oder öffnen Sie eines der Beispiele unter Datei → Beispiele.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::MainWindow</name>
    <message>
        <source>&amp;New</source>
        <translation>&amp;Neu</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>Speichern &amp;unter…</translation>
    </message>
    <message>
        <source>&amp;Export Graph…</source>
        <translation>Graph &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Ausschneiden</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>Alles a&amp;uswählen</translation>
    </message>
    <message>
        <source>&amp;Complete</source>
        <translation>&amp;Vervollständigen</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>Ein&amp;stellungen…</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>&amp;Vergrößern</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>&amp;Zoom zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Fit Graph to Window</source>
        <translation>Graph an Fenster &amp;anpassen</translation>
    </message>
    <message>
        <source>&amp;Next Problem</source>
        <translation>&amp;Nächstes Problem</translation>
    </message>
    <message>
        <source>P&amp;revious Problem</source>
        <translation>Vor&amp;heriges Problem</translation>
    </message>
    <message>
        <source>Choose &amp;Target</source>
        <translation>&amp;Ziel wählen</translation>
    </message>
    <message>
        <source>Go to &amp;Editor</source>
        <translation>Zum &amp;Editor</translation>
    </message>
    <message>
        <source>Go to &amp;Graph</source>
        <translation>Zum &amp;Graphen</translation>
    </message>
    <message>
        <source>&amp;About Stagecraft</source>
        <translation>Über &amp;Stagecraft</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <source>&amp;Problems</source>
        <translation>&amp;Probleme</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>E&amp;xamples</source>
        <translation>&amp;Beispiele</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Werkzeugleiste</translation>
    </message>
    <message>
        <source>Target:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <source>The stage to build; stages it does not need are dimmed (Ctrl+T)</source>
        <translation>Die zu bauende Stufe; Stufen, die sie nicht braucht, werden abgeblendet (Strg+T)</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Unbenannt</translation>
    </message>
    <message>
        <source>Unsaved Changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <source>“%1” has unsaved changes. Save them before closing it?</source>
        <translation>„%1“ hat ungespeicherte Änderungen. Vor dem Schließen speichern?</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Open Dockerfile</source>
        <translation>Dockerfile öffnen</translation>
    </message>
    <message>
        <source>Dockerfiles (Dockerfile *.Dockerfile Dockerfile.* Containerfile);;All files (*)</source>
        <translation>Dockerfiles (Dockerfile *.Dockerfile Dockerfile.* Containerfile);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Save Dockerfile</source>
        <translation>Dockerfile speichern</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Save Dockerfile As</source>
        <translation>Dockerfile speichern unter</translation>
    </message>
    <message>
        <source>Open Recent</source>
        <translation>Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>Open Example</source>
        <translation>Beispiel öffnen</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>Keine zuletzt geöffneten Dateien</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG-Bild (*.svg)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>Export Graph</source>
        <translation>Graph exportieren</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>%1 kann nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>Exported the graph to %1</source>
        <translation>Graph nach %1 exportiert</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The new language is used the next time Stagecraft starts.</source>
        <translation>Die neue Sprache gilt ab dem nächsten Start von Stagecraft.</translation>
    </message>
    <message>
        <source>About Stagecraft</source>
        <translation>Über Stagecraft</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Stagecraft %1&lt;/h3&gt;&lt;p&gt;See multi-stage Dockerfiles as a graph while you type, build them without a Docker daemon and compare the layers of the images.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Stagecraft %1&lt;/h3&gt;&lt;p&gt;Mehrstufige Dockerfiles schon beim Tippen als Graph sehen, ohne Docker-Daemon bauen und die Schichten der Images vergleichen.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Zoom %1 %</source>
        <translation>Zoom %1 %</translation>
    </message>
    <message>
        <source>No problems</source>
        <translation>Keine Probleme</translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n Fehler</numerusform>
            <numerusform>%n Fehler</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s)</source>
        <translation>
            <numerusform>%n Warnung</numerusform>
            <numerusform>%n Warnungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Parsed in %1 ms</source>
        <translation>In %1 ms analysiert</translation>
    </message>
    <message>
        <source>The graph shows the last version without errors.</source>
        <translation>Der Graph zeigt die letzte fehlerfreie Fassung.</translation>
    </message>
    <message>
        <source>Last stage</source>
        <translation>Letzte Stufe</translation>
    </message>
    <message>
        <source>Stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>Line %1, Column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <source>Stage: %1</source>
        <translation>Stufe: %1</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Graph</source>
        <translation>Graph</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>The container exited with code 0.</source>
        <translation>Der Container endete mit Code 0.</translation>
    </message>
    <message>
        <source>The run finished.</source>
        <translation>Der Lauf ist beendet.</translation>
    </message>
    <message>
        <source>&amp;Build</source>
        <translation>&amp;Erstellen</translation>
    </message>
    <message>
        <source>&amp;Cancel Build</source>
        <translation>Build &amp;abbrechen</translation>
    </message>
    <message>
        <source>&amp;Run Image</source>
        <translation>Image &amp;ausführen</translation>
    </message>
    <message>
        <source>Build Log</source>
        <translation>Build-Protokoll</translation>
    </message>
    <message>
        <source>Build &amp;Log</source>
        <translation>Build-&amp;Protokoll</translation>
    </message>
    <message>
        <source>Build arguments: KEY=VALUE …</source>
        <translation>Build-Argumente: NAME=WERT …</translation>
    </message>
    <message>
        <source>Build arguments for ARG, separated by spaces: VERSION=1.2 &quot;MSG=hello world&quot;</source>
        <translation>Build-Argumente für ARG, durch Leerzeichen getrennt: VERSION=1.2 &quot;MSG=hallo Welt&quot;</translation>
    </message>
    <message>
        <source>The build argument “%1” has no value; write it as NAME=VALUE.</source>
        <translation>Das Build-Argument „%1“ hat keinen Wert; bitte als NAME=WERT schreiben.</translation>
    </message>
    <message>
        <source>A build or run is in progress; cancel it first.</source>
        <translation>Ein Build oder Lauf ist im Gang; bitte zuerst abbrechen.</translation>
    </message>
    <message>
        <source>Cannot open the image store %1: %2</source>
        <translation>Der Image-Store %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Cannot create a temporary directory for the build.</source>
        <translation>Für den Build kann kein temporäres Verzeichnis angelegt werden.</translation>
    </message>
    <message>
        <source>Building %1</source>
        <translation>Baue %1</translation>
    </message>
    <message>
        <source>Building %1 with %2</source>
        <translation>Baue %1 mit %2</translation>
    </message>
    <message>
        <source>Building…</source>
        <translation>Baue …</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Breche ab …</translation>
    </message>
    <message>
        <source>Build the image first; Run starts the last built image.</source>
        <translation>Zuerst das Image bauen; Ausführen startet das zuletzt gebaute Image.</translation>
    </message>
    <message>
        <source>Running %1</source>
        <translation>Führe %1 aus</translation>
    </message>
    <message>
        <source>Running the image…</source>
        <translation>Führe das Image aus …</translation>
    </message>
    <message>
        <source>Build %1 (%2)</source>
        <translation>Build %1 (%2)</translation>
    </message>
    <message>
        <source>Check This &amp;Computer…</source>
        <translation>Diesen &amp;Computer prüfen…</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>&amp;Terminal</source>
        <translation>&amp;Terminal</translation>
    </message>
    <message>
        <source>The container exited with code %1.</source>
        <translation>Der Container endete mit Code %1.</translation>
    </message>
    <message>
        <source>Checking this computer…</source>
        <translation>Dieser Computer wird geprüft…</translation>
    </message>
    <message>
        <source>Published on %1</source>
        <translation>Veröffentlicht unter %1</translation>
    </message>
    <message>
        <source>&amp;Keep Failed Step for a Shell</source>
        <translation>Fehlgeschlagenen Schritt für eine Shell be&amp;halten</translation>
    </message>
    <message>
        <source>When a RUN step fails, offer a shell in its filesystem before the build ends</source>
        <translation>Wenn ein RUN-Schritt fehlschlägt, vor dem Ende des Builds eine Shell in seinem Dateisystem anbieten</translation>
    </message>
    <message>
        <source>Open a &amp;Shell Here</source>
        <translation>Hier eine &amp;Shell öffnen</translation>
    </message>
    <message>
        <source>Open a shell in the failed step&apos;s filesystem in the Terminal</source>
        <translation>Eine Shell im Dateisystem des fehlgeschlagenen Schritts im Terminal öffnen</translation>
    </message>
    <message>
        <source>&amp;End the Build</source>
        <translation>Build &amp;beenden</translation>
    </message>
    <message>
        <source>The shell exited with code %1; the build ends.</source>
        <translation>Die Shell wurde mit Code %1 beendet; der Build endet.</translation>
    </message>
    <message>
        <source>%1 failed with exit code %2. Its filesystem is kept until you end the build.</source>
        <translation>%1 ist mit Exit-Code %2 fehlgeschlagen. Sein Dateisystem bleibt erhalten, bis Sie den Build beenden.</translation>
    </message>
    <message>
        <source>A RUN step failed; open a shell in it from the Build Log or end the build.</source>
        <translation>Ein RUN-Schritt ist fehlgeschlagen; öffnen Sie im Build-Protokoll eine Shell darin oder beenden Sie den Build.</translation>
    </message>
    <message>
        <source>Shell in the failed step: %1</source>
        <translation>Shell im fehlgeschlagenen Schritt: %1</translation>
    </message>
    <message>
        <source>Exit the shell to end the build.</source>
        <translation>Beenden Sie die Shell, um den Build zu beenden.</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Zeitleiste</translation>
    </message>
    <message>
        <source>Ti&amp;meline</source>
        <translation>Zeit&amp;leiste</translation>
    </message>
    <message>
        <source>Open Build &amp;Record…</source>
        <translation>Build-&amp;Aufzeichnung öffnen…</translation>
    </message>
    <message>
        <source>Save &amp;Build Record…</source>
        <translation>Build-Aufzeichnung &amp;speichern…</translation>
    </message>
    <message>
        <source>Build record %1: %2</source>
        <translation>Build-Aufzeichnung %1: %2</translation>
    </message>
    <message>
        <source>Open Build Record</source>
        <translation>Build-Aufzeichnung öffnen</translation>
    </message>
    <message>
        <source>Build records, rawjson logs and .dockerbuild archives (*.json *.jsonl *.log *.dockerbuild);;All files (*)</source>
        <translation>Build-Aufzeichnungen, rawjson-Protokolle und .dockerbuild-Archive (*.json *.jsonl *.log *.dockerbuild);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Save Build Record</source>
        <translation>Build-Aufzeichnung speichern</translation>
    </message>
    <message>
        <source>Build records (*.json)</source>
        <translation>Build-Aufzeichnungen (*.json)</translation>
    </message>
    <message>
        <source>Pre&amp;sentation</source>
        <translation>Prä&amp;sentation</translation>
    </message>
    <message>
        <source>The whole window in a large font for a projector (F5; Esc leaves)</source>
        <translation>Das ganze Fenster in großer Schrift für den Beamer (F5; Esc beendet)</translation>
    </message>
    <message>
        <source>S&amp;witch Pane</source>
        <translation>Bereich &amp;wechseln</translation>
    </message>
    <message>
        <source>Show the editor or the graph (F6)</source>
        <translation>Editor oder Graph zeigen (F6)</translation>
    </message>
    <message>
        <source>Import Classroom &amp;Kit…</source>
        <translation>&amp;Kursmaterial importieren…</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Ansicht</translation>
    </message>
    <message>
        <source>Where It Came From</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>Where It &amp;Came From</source>
        <translation>&amp;Herkunft</translation>
    </message>
    <message>
        <source>Next &amp;Step</source>
        <translation>Nächster &amp;Schritt</translation>
    </message>
    <message>
        <source>Previous S&amp;tep</source>
        <translation>Vorheriger Sc&amp;hritt</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Step S&amp;ummary</source>
        <translation>Schritt&amp;übersicht</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Farbschema:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>A new language takes effect when Stagecraft starts again.</source>
        <translation>Eine neue Sprache wirkt erst nach einem Neustart von Stagecraft.</translation>
    </message>
    <message>
        <source>Editor &amp;font:</source>
        <translation>Editor-&amp;Schrift:</translation>
    </message>
    <message>
        <source>Font &amp;size:</source>
        <translation>Schrift&amp;größe:</translation>
    </message>
    <message>
        <source>&amp;Zoom (editor and graph):</source>
        <translation>&amp;Zoom (Editor und Graph):</translation>
    </message>
    <message>
        <source>docker.io = http://10.0.0.5:5000
insecure = 10.0.0.5:5000</source>
        <translation>docker.io = http://10.0.0.5:5000
insecure = 10.0.0.5:5000</translation>
    </message>
    <message>
        <source>Registry &amp;mirrors:</source>
        <translation>Registry-&amp;Spiegel:</translation>
    </message>
    <message>
        <source>One per line: &quot;REGISTRY = URL&quot; fetches that registry&apos;s images from URL; &quot;insecure = HOST:PORT&quot; allows plain HTTP. Saved in %1.</source>
        <translation>Einer pro Zeile: „REGISTRY = URL“ holt die Images dieser Registry von URL; „insecure = HOST:PORT“ erlaubt unverschlüsseltes HTTP. Gespeichert in %1.</translation>
    </message>
    <message>
        <source>&amp;Check</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>Embedded builder (no daemon)</source>
        <translation>Eingebauter Builder (ohne Daemon)</translation>
    </message>
    <message>
        <source>Docker engine (the docker command line)</source>
        <translation>Docker Engine (die docker-Kommandozeile)</translation>
    </message>
    <message>
        <source>DOCKER_HOST or the docker context</source>
        <translation>DOCKER_HOST oder der docker-Kontext</translation>
    </message>
    <message>
        <source>the default builder</source>
        <translation>der Standard-Builder</translation>
    </message>
    <message>
        <source>Builds with %1.</source>
        <translation>Baut mit %1.</translation>
    </message>
    <message>
        <source>Build engine:</source>
        <translation>Build-Engine:</translation>
    </message>
    <message>
        <source>Docker &amp;host:</source>
        <translation>Docker-&amp;Host:</translation>
    </message>
    <message>
        <source>buildx b&amp;uilder:</source>
        <translation>buildx-B&amp;uilder:</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Prüfe …</translation>
    </message>
    <message>
        <source>the embedded builder</source>
        <translation>der eingebaute Builder</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::PresentationMode</name>
    <message>
        <source>%1 pt</source>
        <translation>%1 pt</translation>
    </message>
    <message>
        <source>S&amp;witch Pane</source>
        <translation>Bereich &amp;wechseln</translation>
    </message>
    <message>
        <source>Show &amp;Graph</source>
        <translation>&amp;Graph zeigen</translation>
    </message>
    <message>
        <source>Show &amp;Editor</source>
        <translation>&amp;Editor zeigen</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::ProblemsModel</name>
    <message>
        <source>Line %1, column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Stelle</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Regel</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::ProvenancePanel</name>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>Anweisung</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Right-click a file in the Files view and choose Where Did This Come From? to follow it back to the instruction that wrote it.</source>
        <translation>Klicken Sie in der Ansicht „Dateien“ mit der rechten Maustaste auf eine Datei und wählen Sie „Woher stammt diese Datei?“, um sie bis zu der Anweisung zurückzuverfolgen, die sie geschrieben hat.</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>%1 is not in this image.</source>
        <translation>%1 ist nicht in diesem Image.</translation>
    </message>
    <message>
        <source>No Dockerfile is open for this image: open the Dockerfile that made it and build it to see where its files came from.</source>
        <translation>Für dieses Image ist kein Dockerfile geöffnet: Öffnen Sie das Dockerfile, aus dem es entstand, und bauen Sie es, um zu sehen, woher seine Dateien stammen.</translation>
    </message>
    <message>
        <source>The image cannot be read: %1</source>
        <translation>Das Image kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 was removed from this image: there is no file to follow.</source>
        <translation>%1 wurde aus diesem Image entfernt: Es gibt keine Datei zu verfolgen.</translation>
    </message>
    <message>
        <source>No step of the last build made the layer that holds %1: the image is of another build.</source>
        <translation>Kein Schritt des letzten Builds hat die Schicht erzeugt, die %1 enthält: Das Image stammt aus einem anderen Build.</translation>
    </message>
    <message>
        <source>The last build&apos;s steps cannot be read, so %1 cannot be followed.</source>
        <translation>Die Schritte des letzten Builds können nicht gelesen werden, daher lässt sich %1 nicht verfolgen.</translation>
    </message>
    <message>
        <source>%1 comes from the base image %2 of %3: no instruction of the Dockerfile wrote it.</source>
        <translation>%1 stammt aus dem Basis-Image %2 von %3: Keine Anweisung des Dockerfiles hat die Datei geschrieben.</translation>
    </message>
    <message>
        <source>%1 comes from the base image %2 of %3 and was copied here by COPY --from.</source>
        <translation>%1 stammt aus dem Basis-Image %2 von %3 und wurde mit COPY --from hierher kopiert.</translation>
    </message>
    <message>
        <source>%1 was written by line %2 (%3).</source>
        <translation>%1 wurde von Zeile %2 (%3) geschrieben.</translation>
    </message>
    <message>
        <source>%1 was written by line %2 (%3) and copied here by COPY --from.</source>
        <translation>%1 wurde von Zeile %2 (%3) geschrieben und mit COPY --from hierher kopiert.</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 in %2</translation>
    </message>
    <message>
        <source>writes %1</source>
        <translation>schreibt %1</translation>
    </message>
    <message>
        <source>The stage&apos;s base image holds the file</source>
        <translation>Das Basis-Image der Stufe enthält die Datei</translation>
    </message>
    <message>
        <source>This instruction wrote the file</source>
        <translation>Diese Anweisung hat die Datei geschrieben</translation>
    </message>
    <message>
        <source>The Dockerfile has changed since the build: changed lines are not marked.</source>
        <translation>Das Dockerfile wurde seit dem Build geändert: Geänderte Zeilen sind nicht markiert.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::PullSize</name>
    <message>
        <source>pull size %1 (compressed)</source>
        <translation>Pull-Größe %1 (komprimiert)</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::QuickFixMenu</name>
    <message>
        <source>Show fixes (Ctrl+.)</source>
        <translation>Korrekturen zeigen (Strg+.)</translation>
    </message>
    <message>
        <source>Quick fixes</source>
        <translation>Schnellkorrekturen</translation>
    </message>
    <message>
        <source>No fix: %1</source>
        <translation>Keine Korrektur: %1</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::RunDialog</name>
    <message>
        <source>Run in an &amp;interactive terminal</source>
        <translation>In einem &amp;interaktiven Terminal ausführen</translation>
    </message>
    <message>
        <source>Run Image</source>
        <translation>Image ausführen</translation>
    </message>
    <message>
        <source>Run &lt;b&gt;%1&lt;/b&gt; in a container.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; in einem Container ausführen.</translation>
    </message>
    <message>
        <source>e.g. 8080:80, 5432:5432</source>
        <translation>z. B. 8080:80, 5432:5432</translation>
    </message>
    <message>
        <source>HOST:CONTAINER pairs separated by commas or spaces; add /udp for UDP. The host side listens on 127.0.0.1 unless an address is given (ADDRESS:HOST:CONTAINER).</source>
        <translation>HOST:CONTAINER-Paare, getrennt durch Kommas oder Leerzeichen; /udp für UDP anhängen. Der Host lauscht auf 127.0.0.1, außer eine Adresse ist angegeben (ADRESSE:HOST:CONTAINER).</translation>
    </message>
    <message>
        <source>NAME=value, one per line</source>
        <translation>NAME=Wert, einer pro Zeile</translation>
    </message>
    <message>
        <source>the image&apos;s command</source>
        <translation>der Befehl des Images</translation>
    </message>
    <message>
        <source>Type into the container in the Terminal panel; otherwise its output goes to the build log.</source>
        <translation>Im Terminal-Bereich in den Container tippen; sonst geht seine Ausgabe ins Build-Protokoll.</translation>
    </message>
    <message>
        <source>Published &amp;ports:</source>
        <translation>Veröffentlichte &amp;Ports:</translation>
    </message>
    <message>
        <source>&amp;Environment:</source>
        <translation>&amp;Umgebung:</translation>
    </message>
    <message>
        <source>&amp;Command:</source>
        <translation>&amp;Befehl:</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>“%1” is not a port to publish: give HOST:CONTAINER with ports from 1 to 65535, e.g. 8080:80.</source>
        <translation>„%1“ ist kein Port zum Veröffentlichen: HOST:CONTAINER mit Ports von 1 bis 65535 angeben, z. B. 8080:80.</translation>
    </message>
    <message>
        <source>The host port %1 is published twice.</source>
        <translation>Der Host-Port %1 ist doppelt veröffentlicht.</translation>
    </message>
    <message>
        <source>“%1” is not an environment variable: give NAME=value.</source>
        <translation>„%1“ ist keine Umgebungsvariable: NAME=Wert angeben.</translation>
    </message>
    <message>
        <source>A quote in the command is not closed.</source>
        <translation>Ein Anführungszeichen im Befehl ist nicht geschlossen.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::StageGraphScene</name>
    <message>
        <source>No stages yet.
Type FROM and an image name to start one.</source>
        <translation>Noch keine Stufen.
Tippe FROM und einen Image-Namen, um eine zu beginnen.</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::StageGraphView</name>
    <message>
        <source>Stage graph</source>
        <translation>Stufen-Graph</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::StepSummary</name>
    <message>
        <source>Layer %1 changed no files</source>
        <translation>Schicht %1 änderte keine Dateien</translation>
    </message>
    <message>
        <source>Layer %1 added %2</source>
        <translation>Schicht %1 fügte %2 hinzu</translation>
    </message>
    <message>
        <source>Layer %1 freed %2</source>
        <translation>Schicht %1 gab %2 frei</translation>
    </message>
    <message>
        <source>; wrote %1</source>
        <translation>; schrieb %1</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>Layer %1 of %2: %3</source>
        <translation>Schicht %1 von %2: %3</translation>
    </message>
    <message>
        <source>No step picked</source>
        <translation>Kein Schritt gewählt</translation>
    </message>
    <message>
        <source>Put the cursor on an instruction, or click a layer or a timeline bar.</source>
        <translation>Setzen Sie den Cursor auf eine Anweisung oder klicken Sie auf eine Schicht oder einen Balken der Zeitleiste.</translation>
    </message>
    <message>
        <source>Put the cursor on an instruction, click a layer or a timeline bar, or press %1 for the next step.</source>
        <translation>Setzen Sie den Cursor auf eine Anweisung, klicken Sie auf eine Schicht oder einen Balken der Zeitleiste oder drücken Sie %1 für den nächsten Schritt.</translation>
    </message>
    <message>
        <source>FROM starts the stage: the layers before its first step are the base image&apos;s.</source>
        <translation>FROM beginnt die Stufe: Die Schichten vor ihrem ersten Schritt sind die des Basis-Images.</translation>
    </message>
    <message>
        <source>%1 made no layer in the last build: it changed no files.</source>
        <translation>%1 erzeugte beim letzten Build keine Schicht: Es änderte keine Dateien.</translation>
    </message>
    <message>
        <source>%1 makes no layer: it changes the image&apos;s configuration, not its files.</source>
        <translation>%1 erzeugt keine Schicht: Es ändert die Konfiguration des Images, nicht seine Dateien.</translation>
    </message>
    <message>
        <source>The image shown has no layer of this step. Build the Dockerfile to see what it changes.</source>
        <translation>Das gezeigte Image hat keine Schicht dieses Schritts. Bauen Sie das Dockerfile, um zu sehen, was er ändert.</translation>
    </message>
    <message>
        <source>Reading the image…</source>
        <translation>Das Image wird gelesen…</translation>
    </message>
    <message>
        <source>(from the build cache)</source>
        <translation>(aus dem Build-Cache)</translation>
    </message>
    <message>
        <source>Size change: %1</source>
        <translation>Größenänderung: %1</translation>
    </message>
    <message>
        <source>Largest: %1</source>
        <translation>Am größten: %1</translation>
    </message>
    <message>
        <source>Added: 1 file, %1</source>
        <translation>Hinzugefügt: 1 Datei, %1</translation>
    </message>
    <message>
        <source>Modified: 1 file, %1</source>
        <translation>Geändert: 1 Datei, %1</translation>
    </message>
    <message>
        <source>(was %1)</source>
        <translation>(vorher %1)</translation>
    </message>
    <message>
        <source>Removed: 1 path, %1</source>
        <translation>Entfernt: 1 Pfad, %1</translation>
    </message>
    <message numerus="yes">
        <source>Added: %Ln files, %1</source>
        <translation>
            <numerusform>Hinzugefügt: %Ln Datei, %1</numerusform>
            <numerusform>Hinzugefügt: %Ln Dateien, %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Modified: %Ln files, %1</source>
        <translation>
            <numerusform>Geändert: %Ln Datei, %1</numerusform>
            <numerusform>Geändert: %Ln Dateien, %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed: %Ln paths, %1</source>
        <translation>
            <numerusform>Entfernt: %Ln Pfad, %1</numerusform>
            <numerusform>Entfernt: %Ln Pfade, %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%2 in %Ln files)</source>
        <translation>
            <numerusform>%1 (%2 in %Ln Datei)</numerusform>
            <numerusform>%1 (%2 in %Ln Dateien)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::TerminalPanel</name>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Stop the process and everything it started</source>
        <translation>Den Prozess und alles, was er gestartet hat, beenden</translation>
    </message>
    <message>
        <source>A process is still running in the terminal; stop it first.</source>
        <translation>Im Terminal läuft noch ein Prozess; zuerst stoppen.</translation>
    </message>
    <message>
        <source>Cannot open a terminal: %1</source>
        <translation>Terminal kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird gestoppt…</translation>
    </message>
    <message>
        <source>Exited with code %1</source>
        <translation>Beendet mit Code %1</translation>
    </message>
    <message>
        <source>Failed to run</source>
        <translation>Start fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::TimelineView</name>
    <message>
        <source>Timeline</source>
        <translation>Zeitleiste</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>Stage %1, line %2</source>
        <translation>Stufe %1, Zeile %2</translation>
    </message>
    <message>
        <source>Stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>Cached (%1)</source>
        <translation>Aus dem Cache (%1)</translation>
    </message>
    <message>
        <source>Running for %1</source>
        <translation>Läuft seit %1</translation>
    </message>
    <message>
        <source>Failed after %1</source>
        <translation>Nach %1 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled after %1</source>
        <translation>Nach %1 abgebrochen</translation>
    </message>
    <message>
        <source>Built in %1</source>
        <translation>In %1 gebaut</translation>
    </message>
    <message>
        <source>Layer: %1</source>
        <translation>Schicht: %1</translation>
    </message>
    <message>
        <source>Build the Dockerfile or open a build record to see its steps over time.</source>
        <translation>Baue das Dockerfile oder öffne eine Build-Aufzeichnung, um seine Schritte im Zeitverlauf zu sehen.</translation>
    </message>
    <message>
        <source>Built</source>
        <translation>Gebaut</translation>
    </message>
    <message>
        <source>Cached</source>
        <translation>Aus dem Cache</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Took %1</source>
        <translation>Dauerte %1</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::TreemapCanvas</name>
    <message>
        <source>Nothing here takes any bytes.</source>
        <translation>Hier belegt nichts Bytes.</translation>
    </message>
    <message>
        <source>%1
%2, mostly layer %3</source>
        <translation>%1
%2, größtenteils Schicht %3</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::TreemapModel</name>
    <message>
        <source>Packages</source>
        <translation>Pakete</translation>
    </message>
    <message>
        <source>Dockerfile line %1 made the layer that installed %2; double-click to go there</source>
        <translation>Dockerfile-Zeile %1 hat die Schicht erzeugt, die %2 installiert hat; Doppelklick springt dorthin</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>Paket</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>(in no package)</source>
        <translation>(in keinem Paket)</translation>
    </message>
</context>
<context>
    <name>stagecraft::ui::TreemapView</name>
    <message>
        <source>Up</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Back to the level above</source>
        <translation>Zurück zur Ebene darüber</translation>
    </message>
    <message>
        <source>Group by package</source>
        <translation>Nach Paket gruppieren</translation>
    </message>
    <message>
        <source>Bytes by installed package (dpkg, apk, Python, node), read from the package databases in the image; each file counts for one package</source>
        <translation>Bytes nach installiertem Paket (dpkg, apk, Python, node), gelesen aus den Paketdatenbanken im Image; jede Datei zählt für ein Paket</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Lese %1 …</translation>
    </message>
    <message>
        <source>Could not open %1: %2.</source>
        <translation>%1 konnte nicht geöffnet werden: %2.</translation>
    </message>
    <message>
        <source>Reading the package databases…</source>
        <translation>Lese die Paketdatenbanken …</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>Layer %1: %2
%3
Click to dim the other layers</source>
        <translation>Schicht %1: %2
%3
Klicken, um die anderen Schichten abzublenden</translation>
    </message>
    <message>
        <source>Build or open an image to see where its bytes are.</source>
        <translation>Ein Image bauen oder öffnen, um zu sehen, wo seine Bytes liegen.</translation>
    </message>
    <message>
        <source>%1 in %2 items here; the image&apos;s files hold %3, %4.</source>
        <translation>%1 in %2 Einträgen hier; die Dateien des Images belegen %3, %4.</translation>
    </message>
    <message>
        <source>%1 in %2 items here; the image&apos;s files hold %3.</source>
        <translation>%1 in %2 Einträgen hier; die Dateien des Images belegen %3.</translation>
    </message>
</context>
</TS>
