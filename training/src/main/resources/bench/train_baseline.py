# The PyTorch baseline of `./run bench train`: the same ResNet (torchvision layout, one input
# channel, one logit), batch, input size, AdamW and BCE-with-logits as the DJL loop; prints JSON.
import json, sys, time
import numpy as np
import torch, torchvision

depth, width, batch, h, w, warmup, steps, threads = (int(a) for a in sys.argv[1:9])
torch.set_num_threads(threads)
torch.manual_seed(1)
blocks = {10: [1, 1, 1, 1], 18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth]
model = torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, blocks, num_classes=1,
                                         width_per_group=64)
if width != 64:
    sys.exit("the baseline supports width 64 only (torchvision's layout)")
model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
loss_fn = torch.nn.BCEWithLogitsLoss()
rng = np.random.default_rng(1)
x = rng.standard_normal((batch, 1, h, w), dtype=np.float32)
y = (rng.random((batch, 1)) < 0.5).astype(np.float32)

def step():
    opt.zero_grad(set_to_none=False)
    loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    opt.step()
    return float(loss)

for _ in range(warmup):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    step()
secs = time.perf_counter() - t0
print(json.dumps({"steps_per_s": steps / secs, "torch": torch.__version__, "threads": threads}))
