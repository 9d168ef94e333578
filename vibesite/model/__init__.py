"""Embedding models: sentence-transformers, and ONNX exports run by onnxruntime (no torch)."""
