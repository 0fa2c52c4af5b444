"""One comparison, from data to numbers; writes no files.

``fit`` (both sides, the compiled-model cache) -> ``pair`` (name, align, rows: shared with
the studies) -> ``comparison`` (:func:`compare.run`: the extras and the metrics).
"""
