build/release/src/vfile/vfile.o: src/vfile/vfile.c src/vfile/vfile.h \
 src/lib/buf.h src/lib/err.h src/lib/util.h
src/vfile/vfile.h:
src/lib/buf.h:
src/lib/err.h:
src/lib/util.h:
