// The peer harness of issue 21, part 5: face-api.js (@vladmandic/face-api 1.7.15, MIT) reads
// the pictures emotrace-evaluate --write-pictures DIR wrote (each enlarged and degraded exactly
// as the app's detection is given it) through its own SSD MobileNet detector and 7-class
// expression net, on the WebAssembly backend. No network at run time: the models come inside
// the npm package. Usage: node peer.js DIR > predictions.csv
// Each picture is read two ways: through face-api's own detector (its best face, as emotrace
// takes its best), and fed straight to its expression net as a face crop (as the issue measured
// FER-2013; CK+48's tight crops leave its detector nothing it takes for a face). Prints one row
// per picture (file,label,detected,direct; detected empty when it finds no face) and a summary
// to stderr: faces found, accuracy and macro-F1 over the classes face-api knows.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

// face-api's expression names, in emotrace's (docs/datasets.md) words.
const EMOTRACE_NAME = {
  neutral: 'neutral', happy: 'happy', sad: 'sad', angry: 'angry',
  fearful: 'fear', disgusted: 'disgust', surprised: 'surprise',
};

function readPgm(file) {
  const data = fs.readFileSync(file);
  // "P5\n<w> <h>\n255\n" then w*h bytes; tokens may be separated by any whitespace.
  const tokens = [];
  let i = 0;
  while (tokens.length < 4) {
    while (/\s/.test(String.fromCharCode(data[i]))) i++;
    let token = '';
    while (!/\s/.test(String.fromCharCode(data[i]))) token += String.fromCharCode(data[i++]);
    tokens.push(token);
  }
  i++;  // the one whitespace byte after maxval
  if (tokens[0] !== 'P5' || tokens[3] !== '255') {
    throw new Error(`${file}: expected an 8-bit binary PGM (P5, maxval 255), got ${tokens[0]} ${tokens[3]}`);
  }
  const width = Number(tokens[1]);
  const height = Number(tokens[2]);
  const grey = data.subarray(i, i + width * height);
  if (grey.length !== width * height) throw new Error(`${file}: ${grey.length} bytes of ${width * height}`);
  const rgb = new Int32Array(width * height * 3);
  for (let p = 0; p < grey.length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

function topName(expressions) {
  const [top] = Object.entries(expressions).sort((a, b) => b[1] - a[1])[0];
  return EMOTRACE_NAME[top];
}

function macroF1(rows, classes, key) {
  let sum = 0;
  for (const c of classes) {
    const tp = rows.filter((r) => r.label === c && r[key] === c).length;
    const fp = rows.filter((r) => r.label !== c && r[key] === c).length;
    const fn = rows.filter((r) => r.label === c && r[key] !== c).length;
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.length;
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node peer.js DIR  (DIR written by emotrace-evaluate --write-pictures)');
    process.exit(2);
  }
  const index = fs.readFileSync(path.join(dir, 'pictures.csv'), 'utf8').trim().split('\n').slice(1);
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'), false);
  await tf.setBackend('wasm');
  await tf.ready();
  const models = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.faceExpressionNet.loadFromDisk(models);
  // face-api's own default score threshold (0.5) for its detector.
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  const rows = [];
  console.log('file,label,detected,direct');
  for (const line of index) {
    const [file, , label] = line.split(',');
    const picture = readPgm(path.join(dir, file));
    const faces = await faceapi.detectAllFaces(picture, options).withFaceExpressions();
    let detected = '';
    if (faces.length > 0) {
      const best = faces.reduce((a, b) => (b.detection.score > a.detection.score ? b : a));
      detected = topName(best.expressions);
    }
    const direct = topName(await faceapi.nets.faceExpressionNet.predictExpressions(picture));
    picture.dispose();
    rows.push({ file, label, detected, direct });
    console.log(`${file},${label},${detected},${direct}`);
  }
  const known = new Set(Object.values(EMOTRACE_NAME));
  for (const key of ['detected', 'direct']) {
    const found = rows.filter((r) => r[key] !== '');
    const scored = found.filter((r) => known.has(r.label));
    const classes = [...new Set(scored.map((r) => r.label))].sort();
    const correct = scored.filter((r) => r.label === r[key]).length;
    const how = key === 'detected' ? 'through its detector' : 'straight to its expression net';
    console.error(`face-api.js 1.7.15 (wasm), ${how}: ${found.length} of ${rows.length} faces; ` +
      `on the ${scored.length} of the classes it knows (${classes.join(' ')}): ` +
      `accuracy ${(100 * correct / Math.max(scored.length, 1)).toFixed(2)}%, ` +
      `macro-F1 ${(100 * macroF1(scored, classes, key)).toFixed(2)}%` +
      (found.length > scored.length ? `; ${found.length - scored.length} of a class it cannot name` : ''));
  }
}

main().catch((error) => {
  console.error(`peer.js: ${error.message}`);
  process.exit(1);
});
