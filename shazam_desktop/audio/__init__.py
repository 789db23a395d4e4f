"""Audio in: file decoding, resampling, microphone / monitor capture."""
