"""The outputs: files and pictures made from the catalogue and the survey views (exports, charts, their look)."""
