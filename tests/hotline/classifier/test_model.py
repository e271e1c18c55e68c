"""The Python interface: predict_proba / predict / top_k, empty messages, read_csv, train's
refusals."""

from __future__ import annotations

import numpy as np
import pytest

from tongban.hotline import classifier
from tongban.hotline.classifier import ModelError, TrainingRow, read_csv, train
from tongban.hotline.classifier import text as textprep

from . import sample


def test_the_interface_is_exported():
    for name in ("ModelError", "TrainingRow", "TextClassifier", "train", "save", "load"):
        assert hasattr(classifier, name)
    from tongban.hotline.classifier import history, registry

    assert callable(registry.activate) and callable(registry.active)
    assert callable(registry.invalidate) and callable(registry.rollback)
    assert callable(history.rows_from_tickets)


def test_labels_are_sorted_and_probabilities_sum_to_one(trained):
    assert trained.labels == ["交通运输", "卫生计生", "教育文体", "环境保护"]
    proba = trained.predict_proba(
        ["公交车太挤", "", "药店卖过期药"], ["公交车二十分钟一班", "河道污水发臭", ""]
    )
    assert proba.shape == (3, 4)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()


def test_predict_finds_the_topic_of_new_sentences(trained):
    got = trained.predict(
        ["公交车不来", "工地扬尘", "幼儿园报名难", "挂号难"],
        [
            "云溪大道的公交车早高峰很久才来一班",
            "工地扬尘弥漫，也不洒水",
            "公办幼儿园太少，孩子报名排不上",
            "医院专家号挂不上",
        ],
    )
    assert [label for label, _c in got] == ["交通运输", "环境保护", "教育文体", "卫生计生"]
    assert all(0.0 < c <= 1.0 for _l, c in got)


def test_an_empty_message_gets_no_label_and_zero_confidence(trained):
    assert trained.predict(["", "  "], ["", "\n\t"]) == [("", 0.0), ("", 0.0)]
    assert trained.top_k("", "") == []
    # its probabilities are the label frequencies at training (a valid distribution)
    proba = trained.predict_proba([""], [""])[0]
    assert np.allclose(proba, [0.25, 0.25, 0.25, 0.25])


def test_top_k_is_best_first_and_agrees_with_predict(trained):
    top = trained.top_k("医保报销", "住院费用报销几个月还没到账", k=3)
    assert len(top) == 3
    assert [c for _l, c in top] == sorted((c for _l, c in top), reverse=True)
    best, confidence = trained.predict(["医保报销"], ["住院费用报销几个月还没到账"])[0]
    # the batch path sums in float32 (sparse product), top_k in float64: equal to ~1e-7
    assert top[0][0] == best
    assert top[0][1] == pytest.approx(confidence, abs=1e-6)
    assert len(trained.top_k("医保报销", "", k=10)) == 4
    assert trained.top_k("医保报销", "", k=0) == []


def test_title_only_and_text_only_messages_are_classified(trained):
    [(by_title, _c1), (by_text, _c2)] = trained.predict(
        ["出租车拒载", ""], ["", "化工厂排放刺鼻废气"]
    )
    assert (by_title, by_text) == ("交通运输", "环境保护")


def test_normalisation_folds_width_digits_and_place_codes():
    assert textprep.normalise("Ａ市Ａ３区  公交１２３路\n") == "#市#区 公交0路"
    assert textprep.group_key("标题", " 内 容\n") == "text:内容"
    assert textprep.group_key("标 题", "") == "title:标题"


def test_read_csv_ignores_extra_columns_and_allows_empty_text(tmp_path):
    path = sample.write_csv(
        tmp_path / "in.csv",
        [TrainingRow("7", "路灯不亮", "", "城乡建设"), TrainingRow("8", "", "停水", "")],
    )
    assert read_csv(path) == [
        TrainingRow("7", "路灯不亮", "", "城乡建设"),
        TrainingRow("8", "", "停水", ""),
    ]


def test_read_csv_without_a_label_column_gives_empty_labels(tmp_path):
    path = sample.write_csv(
        tmp_path / "in.csv", [TrainingRow("1", "噪音", "夜里施工", "")], label=False
    )
    assert read_csv(path) == [TrainingRow("1", "噪音", "夜里施工", "")]
    with pytest.raises(ModelError) as exc:
        read_csv(path, require_label=True)
    assert exc.value.code == "bad_csv"
    assert "缺少必需的列：label" in exc.value.message


def test_read_csv_names_the_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("编号,title,内容\n1,a,b\n", encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        read_csv(path)
    assert exc.value.message == (f"CSV 文件 {path} 缺少必需的列：id, text（需要 id,title,text）。")


def test_read_csv_reads_gb18030_and_refuses_binary(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,title,text,label\n1,停水,小区停水,城乡建设\n".encode("gb18030"))
    assert read_csv(path) == [TrainingRow("1", "停水", "小区停水", "城乡建设")]
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81\x30\x81\xff")
    with pytest.raises(ModelError) as exc:
        read_csv(tmp_path / "bin.csv")
    assert exc.value.code == "bad_csv"
    with pytest.raises(ModelError) as exc:
        read_csv(tmp_path / "absent.csv")
    assert exc.value.message == f"找不到文件：{tmp_path / 'absent.csv'}。"


def test_train_refuses_unlabelled_rows_and_a_single_label():
    with pytest.raises(ModelError) as exc:
        train([])
    assert exc.value.message == "没有可用于训练的数据。"
    with pytest.raises(ModelError) as exc:
        train([TrainingRow("1", "a", "b", "x"), TrainingRow("2", "c", "d", "")])
    assert exc.value.message == "训练数据有 1 行没有分类标签（如 2）。"
    with pytest.raises(ModelError) as exc:
        train([TrainingRow("1", "a", "b", "x"), TrainingRow("2", "c", "d", "x")])
    assert exc.value.message == "训练数据至少需要两个不同的分类，现有：x。"


def test_training_records_a_group_aware_cross_validation(trained):
    cv = trained.manifest["metrics"]["cross_validation"]
    assert trained.manifest["metrics"]["rows"] == 120
    assert cv["rows"] == 120
    assert 0.0 <= cv["macro_f1"] <= 1.0


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("公交车不来", "云溪大道的公交车早高峰很久才来一班，公交车太挤"),
        ("", "工地扬尘弥漫，也不洒水。"),
        ("挂号难", ""),
        ("Ａ市３路车", "ＡＢＣ 123 未见过的词语 ！！"),
    ],
)
def test_top_k_computes_the_same_probabilities_as_predict_proba(trained, title, text):
    row = trained.predict_proba([title], [text])[0]
    expected = sorted(zip(trained.labels, row, strict=True), key=lambda x: -x[1])
    got = trained.top_k(title, text, k=4)
    assert [label for label, _c in got] == [label for label, _c in expected]
    assert np.allclose([c for _l, c in got], [c for _l, c in expected], atol=1e-5)


def test_nb_svm_is_the_default_and_recorded_in_the_manifest(trained):
    config = trained.manifest["config"]
    assert config["classifier"] == "NB-SVM (one-vs-rest)"
    assert config["nb_alpha"] == 0.1
    # the per-label scaling is folded into plain coefficients: one product at prediction
    assert trained.coef.shape == (4, trained.featuriser.n_features)


def test_nb_svm_coefficients_are_the_scaled_binary_svms():
    """One label's coefficients are its binary SVM's weights on the log-count-ratio-scaled
    features times that ratio: scores on the unscaled features are the scaled SVM's scores."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    from tongban.hotline.classifier.training import DEFAULT, _fit_linear

    X = sp.csr_matrix(
        np.array(
            [[1.0, 0.0, 0.5], [0.8, 0.1, 0.0], [0.0, 1.0, 0.2], [0.1, 0.9, 0.0], [0.3, 0.3, 1.0]],
            dtype=np.float32,
        )
    )
    y = np.array([0, 0, 1, 1, 2])
    coef, intercept = _fit_linear(X, y, 4, DEFAULT)
    assert intercept[3] == -10.0 and not coef[3].any()  # a label absent from the data
    A = X.toarray()
    p = 0.1 + A[y == 1].sum(axis=0)
    q = 0.1 + A[y != 1].sum(axis=0)
    r = np.log(p / p.sum()) - np.log(q / q.sum())
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=DEFAULT.seed, max_iter=5000)
    svm.fit(A * r, (y == 1).astype(int))
    assert np.allclose(A @ coef[1] + intercept[1], svm.decision_function(A * r), atol=1e-5)


def test_the_plain_svm_is_still_available(sample_rows):
    from tongban.hotline.classifier.training import DEFAULT, TrainingConfig

    config = TrainingConfig(**{**vars(DEFAULT), "nb_alpha": None, "folds": 2})
    model = train(sample_rows, config=config)
    assert model.manifest["config"]["classifier"] == "linear SVM"
    assert model.predict(["公交车不来"], ["公交车早高峰很久才来一班"])[0][0] == "交通运输"
