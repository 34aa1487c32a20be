"""arXiv category codes and their names (https://arxiv.org/category_taxonomy)."""
# ruff: noqa: E501

import re

ARXIV_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")

NAMES = {
    "cs.AI": "Artificial Intelligence", "cs.AR": "Hardware Architecture",
    "cs.CC": "Computational Complexity", "cs.CE": "Computational Engineering, Finance, and Science",
    "cs.CG": "Computational Geometry", "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security", "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.CY": "Computers and Society", "cs.DB": "Databases",
    "cs.DC": "Distributed, Parallel, and Cluster Computing", "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics", "cs.DS": "Data Structures and Algorithms",
    "cs.ET": "Emerging Technologies", "cs.FL": "Formal Languages and Automata Theory",
    "cs.GL": "General Literature", "cs.GR": "Graphics", "cs.GT": "Computer Science and Game Theory",
    "cs.HC": "Human-Computer Interaction", "cs.IR": "Information Retrieval",
    "cs.IT": "Information Theory", "cs.LG": "Machine Learning", "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems", "cs.MM": "Multimedia", "cs.MS": "Mathematical Software",
    "cs.NA": "Numerical Analysis", "cs.NE": "Neural and Evolutionary Computing",
    "cs.NI": "Networking and Internet Architecture", "cs.OH": "Other Computer Science",
    "cs.OS": "Operating Systems", "cs.PF": "Performance", "cs.PL": "Programming Languages",
    "cs.RO": "Robotics", "cs.SC": "Symbolic Computation", "cs.SD": "Sound",
    "cs.SE": "Software Engineering", "cs.SI": "Social and Information Networks",
    "cs.SY": "Systems and Control",
    "stat.ML": "Machine Learning (Statistics)", "stat.AP": "Applications (Statistics)",
    "stat.CO": "Computation (Statistics)", "stat.ME": "Methodology (Statistics)",
    "stat.TH": "Statistics Theory", "stat.OT": "Other Statistics",
    "eess.AS": "Audio and Speech Processing", "eess.IV": "Image and Video Processing",
    "eess.SP": "Signal Processing", "eess.SY": "Systems and Control (EESS)",
    "math.OC": "Optimization and Control", "math.NA": "Numerical Analysis (Math)",
    "math.IT": "Information Theory (Math)", "math.ST": "Statistics Theory (Math)",
    "math.PR": "Probability", "math.CO": "Combinatorics", "math.DS": "Dynamical Systems",
    "math.LO": "Logic", "q-bio.NC": "Neurons and Cognition",
    "q-bio.QM": "Quantitative Methods", "q-bio.BM": "Biomolecules", "q-bio.GN": "Genomics",
    "q-fin.CP": "Computational Finance", "q-fin.ST": "Statistical Finance",
    "q-fin.TR": "Trading and Market Microstructure", "econ.GN": "General Economics",
    "econ.TH": "Theoretical Economics", "econ.EM": "Econometrics", "quant-ph": "Quantum Physics",
    "physics.med-ph": "Medical Physics", "physics.comp-ph": "Computational Physics",
    "physics.soc-ph": "Physics and Society", "physics.data-an": "Data Analysis, Statistics and Probability",
    "physics.optics": "Optics", "physics.chem-ph": "Chemical Physics",
    "cond-mat.mtrl-sci": "Materials Science", "cond-mat.dis-nn": "Disordered Systems and Neural Networks",
    "cond-mat.stat-mech": "Statistical Mechanics", "astro-ph.IM": "Instrumentation and Methods for Astrophysics",
    "nlin.AO": "Adaptation and Self-Organizing Systems", "math-ph": "Mathematical Physics",
}  # fmt: skip


def field_name(code: str) -> str:
    return NAMES.get(code, code)


def is_arxiv_category(code: str) -> bool:
    return bool(ARXIV_CATEGORY.match(code))
