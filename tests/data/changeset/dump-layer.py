# Prints a layer tar one entry a line: type (- d l h c b p), the mode field as the tar
# holds it (octal; Docker's keeps the file type bits), uid/gid, size, name [-> link].
import sys
import tarfile

TYPES = {tarfile.REGTYPE: '-', tarfile.AREGTYPE: '-', tarfile.DIRTYPE: 'd', tarfile.SYMTYPE: 'l',
         tarfile.LNKTYPE: 'h', tarfile.CHRTYPE: 'c', tarfile.BLKTYPE: 'b', tarfile.FIFOTYPE: 'p'}
with tarfile.open(sys.argv[1]) as tar:
    for m in tar.getmembers():
        line = '%s %04o %d/%d %d %s' % (TYPES.get(m.type, '?'), m.mode, m.uid, m.gid, m.size, m.name)
        if m.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
            line += ' -> ' + m.linkname
        print(line)
