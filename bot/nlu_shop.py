"""`xiaoer nlu train --shop`: the shop's own model, from our written data and the messages its agents labelled
(`/label` in their chat), saved where `XIAOER_NLU_MODEL` says — never over the shipped model — and said before and
after on those labelled messages. A serving process reads with it from its next start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlu.model import MODEL_PATH, IntentModel
from nlu.train import classify, fit
from nlu.training_data import examples, rendered
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.orders import SqlOrderStore


@dataclass(frozen=True)
class ShopTraining:
    labelled: int
    before: float | None  # the shipped model's accuracy on the labelled messages
    after: float | None  # the shop's model's
    path: Path

    def line(self) -> str:
        if not self.labelled:
            return f"没有标注过的消息（在客服会话里用 /nlu-review 和 /label 标注）；模型未变：{MODEL_PATH}"
        return (f"店铺标注的 {self.labelled} 条消息：训练前准确率 {self.before:.2f}，训练后 {self.after:.2f}；"
                f"店铺模型已写入 {self.path}")  # fmt: skip


async def train_shop(database: Database, path: Path) -> ShopTraining:
    labelled = [(c.label, c.text) for c in await SqlOrderStore(database).labelled_nlu() if c.label]
    if not labelled:
        return ShopTraining(0, None, None, path)
    model = fit(examples(shop=labelled))
    model.save(path)
    shipped = IntentModel.load(MODEL_PATH)
    texts = [(intent, rendered(template)) for intent, template in labelled]
    return ShopTraining(len(labelled), _accuracy(shipped, texts), _accuracy(model, texts), path)


async def shop_training(url: str, path: Path) -> int:
    database = open_database(url)
    try:
        await upgrade(database)
        print((await train_shop(database, path)).line())
    finally:
        await database.dispose()
    return 0


def _accuracy(model: IntentModel, texts: list[tuple[str, str]]) -> float:
    return sum(classify(model, text) == intent for intent, text in texts) / len(texts)
