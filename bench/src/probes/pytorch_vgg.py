"""Reference for the bench (not a dependency): the trainer's deep network in PyTorch, same shapes and batch,
Adam + label-smoothed cross-entropy, channels-last, fp32 or bf16 autocast, random inputs, time-boxed.
Usage: python3 pytorch_vgg.py '{"network": {...resolved deep config...}, "threads": 2, "precision": "fp32",
"batchSize": 64, "seconds": 10}'  -> one JSON line on stdout."""
import json
import sys
import time

import torch
from torch import nn


def build(config):
    layers = []
    if config["inputPool"] > 1:
        layers.append(nn.AvgPool2d(config["inputPool"]))
    channels, side = 1, 48 // config["inputPool"]
    for width in config["blockWidths"]:
        for _ in range(config["convsPerBlock"]):
            layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width, eps=1e-3, momentum=0.01), nn.ReLU()]
            channels = width
        layers += [nn.MaxPool2d(2), nn.Dropout(config["blockDropout"])]
        side //= 2
    if config["head"] == "gap":
        layers += [nn.AdaptiveAvgPool2d(1)]
        features = channels
    else:
        features = channels * side * side
    layers.append(nn.Flatten())
    if config["denseUnits"] > 0:
        layers += [nn.Linear(features, config["denseUnits"], bias=False), nn.BatchNorm1d(config["denseUnits"], eps=1e-3, momentum=0.01), nn.ReLU()]
        features = config["denseUnits"]
    layers += [nn.Dropout(config["denseDropout"]), nn.Linear(features, 7)]
    return nn.Sequential(*layers)


def main():
    args = json.loads(sys.argv[1])
    torch.set_num_threads(args["threads"])
    torch.manual_seed(0)
    model = build(args["network"]).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=args["network"]["l2"])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    batch = args["batchSize"]
    x = torch.rand(batch, 1, 48, 48).to(memory_format=torch.channels_last)
    y = torch.randint(0, 7, (batch,))
    bf16 = args["precision"] == "bf16"

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    step()
    steps, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while steps < 2 or time.perf_counter() - start < args["seconds"]:
        step()
        steps += 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    images = steps * batch
    print(json.dumps({
        "steps": steps,
        "imagesPerSec": round(images / wall, 1),
        "imagesPerCpuSec": round(images / cpu, 1),
        "coresBusy": round(cpu / wall, 2),
        "detail": f"PyTorch {torch.__version__}, {args['precision']}, {args['threads']} threads, channels-last",
    }))


if __name__ == "__main__":
    main()
