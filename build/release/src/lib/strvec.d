build/release/src/lib/strvec.o: src/lib/strvec.c src/lib/strvec.h \
 src/lib/buf.h src/lib/util.h
src/lib/strvec.h:
src/lib/buf.h:
src/lib/util.h:
