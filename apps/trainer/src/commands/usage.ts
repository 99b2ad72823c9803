/**
 * Usage text of every command, kept apart from the commands so `--help` loads nothing heavy. Each command's own
 * text is exported for its error hints; `USAGE` is all of them, in this order.
 */

export const IMPORT_USAGE = `import --from DIR|CSV [--format folder|csv|photos] [--name NAME] [--force] [--json]
  folder-per-class tree (anger→angry, sadness→sad, …; unknown labels such as contempt are counted and skipped),
  FER-2013 CSV (emotion,pixels,Usage), or photos that need face detection first; caches into $MOODLENS_CACHE_DIR`;

/** The options that build a training config: `train` takes them, `search` takes them as its base config. */
export const TRAINING_CONFIG_USAGE = `  --architecture compact|deep   --network '{"blockWidths":[32,64,128,256]}'
  --epochs N --batch-size N --optimizer adam|sgd --lr X --momentum X
  --schedule cosine|plateau|constant --warmup EPOCHS --min-lr X --plateau-factor X --plateau-patience N
  --label-smoothing X --class-weighting none|sqrt|balanced --no-augment --augment '{"rotation":15,"erasing":0.5}'
  --input-filter none|gaussian:SIGMA (model input filter for validation/serving; recorded in metadata.json)
  --patience N (early stopping, 0 = off) --seed N --val-fraction X --config FILE.json
  --init-from RUN_ID|RUN_DIR|WEIGHTS_DIR (start from a run's best weights instead of random ones: fine-tuning or
    a warm restart of the schedule; same network config required; recorded with the weights' sha256)
  --distill-from RUN_ID|RUN_DIR|MODEL_DIR[,…] [--distill-weight 0.5] (knowledge distillation: every training target
    mixes the teachers' mean probabilities, with this weight, into the smoothed label; teachers are finished models,
    any network; recorded with their weights' sha256)`;

export const TRAIN_USAGE = `train --data DIR|CSV|CACHE [--val DIR] [options]         start a run
train --resume RUN_ID [--run-dir DIR]                    continue a run from its last checkpoint
${TRAINING_CONFIG_USAGE}
  --run-dir DIR (default $MOODLENS_RUNS_DIR) --run-id ID --experiment NAME --name TEXT
  --publish DIR (copy the finished model there, e.g. models/default) --register (register a model version)
  --min-recall X (at the end, fit per-class offsets on the validation data so that every class's recall reaches X,
    e.g. 0.45; recorded in run.json; see calibrate)
  --max-epochs N (stop after N epochs in this sitting; resume later) --no-db --no-progress
  --workers 2 (data-parallel: half of each batch on a second thread/core; per sitting, not part of the config)
  --backend native|auto|wasm|cpu (default $MOODLENS_BACKEND or auto: the oneDNN engine of @moodlens/native when
    it is built, for the deep network; native forces it) --precision fp32|bf16 (native engine; default fp32)
  --sync-process (record epochs through a child \`runs sync\` process: for runs lasting hours while the code changes)`;

export const EVALUATE_USAGE = `evaluate --data DIR|CSV [--model PATH] [--json] [--record]   accuracy, macro-F1, per-class P/R/F1, confusion, ECE
  without --model: the model the API would serve (production version in the registry, else models/default)
  --record stores the evaluation with the model's run / version in the database; --format folder|csv|photos
  --tta averages each face with its mirror image (flip test-time augmentation)
  --input-filter none|gaussian:SIGMA overrides the model's recorded input filter (to tune it on validation data)`;

export const RUNS_USAGE = `runs list [--experiment NAME] [--json]                  runs in the database, newest first
runs show RUN_ID [--json]                               params, epochs, evaluations, model versions
runs compare RUN_A RUN_B [...] [--json]                 parameter diff and metric table
runs sync [RUN_ID...] [--run-dir DIR]                   push local run folders to the database (all when no id)
runs snapshot RUN_ID --to DIR [--run-dir DIR]           model files from the best epoch so far of an unfinished run`;

export const SEARCH_USAGE = `search --data DIR [--val DIR] --space JSON|FILE [--mode grid|random] [--trials N] [--epochs N]
       [--experiment NAME] [--workers 1|2] [train options as base config]
  each trial is a run of the experiment (parallel child processes with --workers 2, one core each);
  the best run by validation accuracy is reported. Space: {"learningRate":{"min":3e-4,"max":3e-3,"log":true},"labelSmoothing":[0,0.1]}`;

export const MODELS_USAGE = `models list [--json]                                    registered model versions (production first)
models register RUN_ID [--run-dir DIR] [--version V] [--path DIR]   register a finished run's model files
models promote VERSION                                  make VERSION the model the API serves`;

export const CALIBRATE_USAGE = `calibrate --model PATH --data DIR [--min-recall X] [--json] [--dry-run]   refit the served calibration
  fits the temperature (and with --min-recall, e.g. 0.45, per-class offsets so that every class's recall reaches it)
  on labelled held-out data (the validation folder), prints before / after / cross-fitted (2 stratified halves)
  accuracy, macro-F1, per-class recall and ECE, then writes metadata.json and re-exports model.onnx;
  --format folder|csv|photos; --dry-run writes nothing`;

export const EXPORT_ONNX_USAGE = `export-onnx --model PATH                                add model.onnx (batch norm folded, calibration in the graph)`;

export const QUANTIZE_USAGE = `quantize --model PATH --data DIR [--images N] | --remove   serve the int8 graph (or the float one again)
  measures activation ranges on N training images (default 700, the same number per class), records them in
  metadata.json (onnxQuantization) and re-exports model.onnx as int8 (~3x faster on CPUs with AVX-512 VNNI);
  evaluate and calibrate then measure that graph, as the API serves it`;

export const ENSEMBLE_USAGE = `ensemble --models A,B[,…] --out DIR                    one model folder serving several models together
  the mean of the members' logits through one softmax, as one network (one model.json, one model.onnx);
  written uncalibrated: calibrate it on the validation data next (then quantize, if its members are served as int8)`;

/** Each command's usage, by command name (the first line is the hint of a usage error). */
export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  import: IMPORT_USAGE,
  train: TRAIN_USAGE,
  evaluate: EVALUATE_USAGE,
  runs: RUNS_USAGE,
  search: SEARCH_USAGE,
  models: MODELS_USAGE,
  calibrate: CALIBRATE_USAGE,
  "export-onnx": EXPORT_ONNX_USAGE,
  quantize: QUANTIZE_USAGE,
  ensemble: ENSEMBLE_USAGE,
};

export const USAGE = `usage: npm run trainer -- <command> [options]

${[IMPORT_USAGE, TRAIN_USAGE, EVALUATE_USAGE, CALIBRATE_USAGE, RUNS_USAGE, SEARCH_USAGE, MODELS_USAGE, EXPORT_ONNX_USAGE, QUANTIZE_USAGE, ENSEMBLE_USAGE].join("\n\n")}
`;
