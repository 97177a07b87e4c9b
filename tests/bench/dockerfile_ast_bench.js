// Times dockerfile-ast (the Dockerfile language server's parser) on the files given as
// arguments, doing the same work as Stagecraft's parse+graph: parse, then collect each
// stage's base and name and the COPY --from / RUN --mount from= references.
// Prints one line per file: <path>\t<median microseconds per run>.
'use strict';
const fs = require('fs');
const { DockerfileParser } = require('dockerfile-ast');

function parseAndGraph(content) {
    const dockerfile = DockerfileParser.parse(content);
    const stages = [];
    for (const from of dockerfile.getFROMs())
        stages.push({ base: from.getImageName(), name: from.getBuildStage(), refs: [] });
    let current = -1;
    for (const instruction of dockerfile.getInstructions()) {
        const keyword = instruction.getKeyword().toUpperCase();
        if (keyword === 'FROM') {
            ++current;
            continue;
        }
        if (current < 0 || typeof instruction.getFlags !== 'function')
            continue;
        for (const flag of instruction.getFlags()) {
            if ((keyword === 'COPY' || keyword === 'ADD') && flag.getName() === 'from')
                stages[current].refs.push(flag.getValue());
            if (keyword === 'RUN' && flag.getName() === 'mount')
                for (const option of flag.getOptions())
                    if (option.getName() === 'from')
                        stages[current].refs.push(option.getValue());
        }
    }
    return stages;
}

function median(values) {
    const sorted = values.slice().sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

for (const path of process.argv.slice(2)) {
    const content = fs.readFileSync(path, 'utf8');
    // Warm up the JIT, then size batches so one sample takes about 2 ms.
    let start = process.hrtime.bigint();
    let warm = 0;
    while (Number(process.hrtime.bigint() - start) < 200e6 && warm < 2000) {
        parseAndGraph(content);
        ++warm;
    }
    start = process.hrtime.bigint();
    parseAndGraph(content);
    const once = Math.max(Number(process.hrtime.bigint() - start), 1);
    const batch = Math.max(1, Math.floor(2e6 / once));
    const samples = [];
    const deadline = process.hrtime.bigint() + 1000000000n;
    while (samples.length < 15 || (samples.length < 301 && process.hrtime.bigint() < deadline)) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < batch; ++i)
            parseAndGraph(content);
        samples.push(Number(process.hrtime.bigint() - t0) / batch / 1000);
    }
    process.stdout.write(path + '\t' + median(samples).toFixed(3) + '\n');
}
