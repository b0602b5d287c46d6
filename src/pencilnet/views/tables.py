"""The Rich tables a notebook reaches as `pencilnet.tables`, gathered from the modules that draw
them: the stages (`stage_tables`, `backprop_tables`), a run (`run_tables`) and the checks
(`check_tables`)."""

from pencilnet.views.backprop_tables import backprop
from pencilnet.views.check_tables import gradcheck, verify
from pencilnet.views.declared import Declared
from pencilnet.views.run_tables import confusion_table, predictions, scores, sparkline, summary, train
from pencilnet.views.stage_tables import error, exact_note, forward, pencil_note, step
from pencilnet.views.table_parts import layer_title

__all__ = ["Declared", "backprop", "confusion_table", "error", "exact_note", "forward", "gradcheck", "layer_title",
           "pencil_note", "predictions", "scores", "sparkline", "step", "summary", "train", "verify"]
