// SHA-256 through OpenSSL's libcrypto, which uses the processor's SHA instructions where
// it has them: every layer byte is hashed at least twice (diff ID and blob digest), and
// QCryptographicHash's portable code hashes at a fifth of that speed. Same calls as
// QCryptographicHash (addData, result), so either can stand in for the other.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <openssl/evp.h>

namespace stagecraft {

class Sha256
{
public:
    Sha256()
        : m_context(EVP_MD_CTX_new())
    {
        reset();
    }
    ~Sha256() { EVP_MD_CTX_free(m_context); }
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void reset() { EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr); }
    void addData(QByteArrayView data) { EVP_DigestUpdate(m_context, data.data(), size_t(data.size())); }
    // The 32 raw bytes of what was added so far; more can still be added afterwards.
    QByteArray result() const
    {
        QByteArray out(32, Qt::Uninitialized);
        EVP_MD_CTX *copy = EVP_MD_CTX_new();
        unsigned int length = 0;
        EVP_MD_CTX_copy_ex(copy, m_context);
        EVP_DigestFinal_ex(copy, reinterpret_cast<unsigned char *>(out.data()), &length);
        EVP_MD_CTX_free(copy);
        return out;
    }

    static QByteArray hash(QByteArrayView data)
    {
        Sha256 h;
        h.addData(data);
        return h.result();
    }

private:
    EVP_MD_CTX *m_context;
};

} // namespace stagecraft
